// checks.h: the pass/fail bookkeeping the C++ API test programs here share. CHECK(cond, what)
// prints "ok   what" or "FAIL what (file.cpp:line)" and counts it; finish(name) prints the
// summary line run.sh reads ("name: P passed, F failed") and gives the exit status.
#pragma once

#include <cstdio>
#include <cstring>
#include <string>

namespace
{

int gPassed = 0;
int gFailed = 0;

void check(bool ok, std::string const& what, char const* file, int line)
{
    if (ok)
    {
        ++gPassed;
        std::printf("ok   %s\n", what.c_str());
    }
    else
    {
        ++gFailed;
        char const* slash = std::strrchr(file, '/');
        std::printf("FAIL %s (%s:%d)\n", what.c_str(), slash ? slash + 1 : file, line);
    }
    std::fflush(stdout);
}

int finish(char const* name)
{
    std::printf("%s: %d passed, %d failed\n", name, gPassed, gFailed);
    return gFailed == 0 ? 0 : 1;
}

} // namespace

#define CHECK(cond, what) check(static_cast<bool>(cond), (what), __FILE__, __LINE__)
