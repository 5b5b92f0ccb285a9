# CMake package configuration for this project's TensorRT 8.6 compatible libraries.
#
# Installed as <prefix>/lib/cmake/TensorRT/TensorRTConfig.cmake; everything else is found
# relative to this file, so the install tree can be moved or unpacked anywhere:
#   <prefix>/include/   NvInfer.h, NvInferRuntime.h, NvOnnxParser.h, NvInferPlugin.h, nvinfer_c.h, ...
#   <prefix>/lib/       libnvinfer.so, libnvonnxparser.so, libnvinfer_plugin.so (+ .so.8, .so.8.6.1)
#
# Provides
#   imported targets  TensorRT::nvinfer, TensorRT::nvonnxparser, TensorRT::nvinfer_plugin
#                     (the last two bring TensorRT::nvinfer along)
#   variables         TensorRT_FOUND, TensorRT_VERSION (8.6.1), TensorRT_VERSION_MAJOR/MINOR/PATCH,
#                     TensorRT_INCLUDE_DIRS, TensorRT_LIBRARIES, TensorRT_LIBRARY_DIR,
#                     TensorRT_<component>_FOUND for nvinfer, nvonnxparser, nvinfer_plugin
#
# Usage: find_package(TensorRT 8.6 REQUIRED) with -DTensorRT_DIR=<prefix>/lib/cmake/TensorRT
#        or <prefix> in CMAKE_PREFIX_PATH.

get_filename_component(_TensorRT_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_TensorRT_INCLUDE_DIR "${_TensorRT_PREFIX}/include")
set(_TensorRT_LIB_DIR "${_TensorRT_PREFIX}/lib")
set(_TensorRT_COMPONENTS nvinfer nvonnxparser nvinfer_plugin)

# Forget our private variables and report failure through find_package's own mechanism, so
# that REQUIRED turns it into a configure error and QUIET/optional callers just see FOUND=FALSE.
macro(_tensorrt_fail _reason)
  set(TensorRT_FOUND FALSE)
  set(TensorRT_NOT_FOUND_MESSAGE "${_reason}")
  unset(_TensorRT_PREFIX)
  unset(_TensorRT_INCLUDE_DIR)
  unset(_TensorRT_LIB_DIR)
  unset(_TensorRT_COMPONENTS)
  unset(_TensorRT_missing)
  return()
endmacro()

# Check every file before defining anything: a half-staged install gets one message that
# lists all missing pieces instead of a link error much later.
set(_TensorRT_missing "")
foreach(_TensorRT_h IN ITEMS NvInfer.h NvInferRuntime.h NvOnnxParser.h NvInferPlugin.h)
  if(NOT EXISTS "${_TensorRT_INCLUDE_DIR}/${_TensorRT_h}")
    list(APPEND _TensorRT_missing "${_TensorRT_INCLUDE_DIR}/${_TensorRT_h}")
  endif()
endforeach()
foreach(_TensorRT_c IN LISTS _TensorRT_COMPONENTS)
  if(NOT EXISTS "${_TensorRT_LIB_DIR}/lib${_TensorRT_c}.so")
    list(APPEND _TensorRT_missing "${_TensorRT_LIB_DIR}/lib${_TensorRT_c}.so")
  endif()
endforeach()
unset(_TensorRT_h)
unset(_TensorRT_c)
if(_TensorRT_missing)
  string(REPLACE ";" "\n    " _TensorRT_missing "${_TensorRT_missing}")
  _tensorrt_fail("TensorRT package in ${_TensorRT_PREFIX} is incomplete (config file: \
${CMAKE_CURRENT_LIST_FILE}). Missing:\n    ${_TensorRT_missing}\n\
Stage the libraries and headers again, or point TensorRT_DIR at <prefix>/lib/cmake/TensorRT \
of a complete install.")
endif()

# Only the names in _TensorRT_COMPONENTS exist; asking for another one is a caller mistake.
# (list(FIND) rather than IN_LIST: it does not depend on the caller's policy settings.)
foreach(_TensorRT_c IN LISTS TensorRT_FIND_COMPONENTS)
  list(FIND _TensorRT_COMPONENTS "${_TensorRT_c}" _TensorRT_index)
  if(_TensorRT_index EQUAL -1 AND TensorRT_FIND_REQUIRED_${_TensorRT_c})
    _tensorrt_fail("TensorRT has no component '${_TensorRT_c}' (known: nvinfer, nvonnxparser, \
nvinfer_plugin).")
  endif()
endforeach()
unset(_TensorRT_c)
unset(_TensorRT_index)

# One imported target per library. The guard lets several find_package calls (or
# subprojects) share the targets; a clash with another TensorRT install is an error.
function(_tensorrt_import _name)
  set(_location "${_TensorRT_LIB_DIR}/lib${_name}.so")
  if(TARGET TensorRT::${_name})
    get_target_property(_existing TensorRT::${_name} IMPORTED_LOCATION)
    if(_existing AND NOT _existing STREQUAL _location AND NOT _TensorRT_clash)
      set(_TensorRT_clash "TensorRT::${_name} already points at ${_existing}; refusing to \
redefine it as ${_location}. Only one TensorRT install can be used per project." PARENT_SCOPE)
    endif()
    return()
  endif()
  add_library(TensorRT::${_name} SHARED IMPORTED)
  set_target_properties(TensorRT::${_name} PROPERTIES
    IMPORTED_LOCATION "${_location}"
    INTERFACE_INCLUDE_DIRECTORIES "${_TensorRT_INCLUDE_DIR}")
  if(NOT _name STREQUAL "nvinfer")
    # Parser and plugin entry points hand out nvinfer1 objects: users always need nvinfer too.
    set_property(TARGET TensorRT::${_name} PROPERTY INTERFACE_LINK_LIBRARIES TensorRT::nvinfer)
  endif()
endfunction()

set(_TensorRT_clash "")
foreach(_TensorRT_c IN LISTS _TensorRT_COMPONENTS)
  _tensorrt_import(${_TensorRT_c})
  set(TensorRT_${_TensorRT_c}_FOUND TRUE)
endforeach()
unset(_TensorRT_c)
if(_TensorRT_clash)
  _tensorrt_fail("${_TensorRT_clash}")
endif()
unset(_TensorRT_clash)

set(TensorRT_VERSION "8.6.1")
set(TensorRT_VERSION_MAJOR 8)
set(TensorRT_VERSION_MINOR 6)
set(TensorRT_VERSION_PATCH 1)
set(TensorRT_INCLUDE_DIRS "${_TensorRT_INCLUDE_DIR}")
set(TensorRT_LIBRARY_DIR "${_TensorRT_LIB_DIR}")
set(TensorRT_LIBRARIES TensorRT::nvinfer TensorRT::nvonnxparser TensorRT::nvinfer_plugin)
set(TensorRT_FOUND TRUE)

unset(_TensorRT_PREFIX)
unset(_TensorRT_INCLUDE_DIR)
unset(_TensorRT_LIB_DIR)
unset(_TensorRT_COMPONENTS)
unset(_TensorRT_missing)
