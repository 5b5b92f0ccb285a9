# Version file for the TensorRT-compatible package (this project implements the 8.6.1 API).
# A request is accepted when it asks for major version 8 and no more than 8.6.1
# (the "same major version" rule), or when 8.6.1 lies inside a requested range.

set(PACKAGE_VERSION "8.6.1")
set(PACKAGE_VERSION_COMPATIBLE FALSE)
set(PACKAGE_VERSION_EXACT FALSE)

if(PACKAGE_FIND_VERSION_RANGE)
  # CMake >= 3.19: find_package(TensorRT 8.0...<9)
  set(_trt_in_range FALSE)
  if(PACKAGE_VERSION VERSION_GREATER_EQUAL PACKAGE_FIND_VERSION_MIN)
    if(PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE"
       AND PACKAGE_VERSION VERSION_LESS_EQUAL PACKAGE_FIND_VERSION_MAX)
      set(_trt_in_range TRUE)
    elseif(PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE"
           AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MAX)
      set(_trt_in_range TRUE)
    endif()
  endif()
  # The lower end still has to be a TensorRT 8 request: 7.x programs are not supported.
  if(_trt_in_range AND PACKAGE_FIND_VERSION_MIN_MAJOR STREQUAL "8")
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
  unset(_trt_in_range)
elseif(NOT DEFINED PACKAGE_FIND_VERSION OR PACKAGE_FIND_VERSION STREQUAL "")
  # find_package(TensorRT) without a version takes whatever is there.
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_FIND_VERSION_MAJOR STREQUAL "8"
       AND NOT PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()

# The libraries are 64-bit only; a 32-bit build must not pick them up.
if(DEFINED CMAKE_SIZEOF_VOID_P AND NOT CMAKE_SIZEOF_VOID_P STREQUAL ""
   AND NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "${PACKAGE_VERSION} (64bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
