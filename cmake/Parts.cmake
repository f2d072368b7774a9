# SPDX-License-Identifier: Apache-2.0
# pindeck_add_part(NAME SOURCES file... [USES part...] [DEPS target...])
#
# One object library per part of src/ (DESIGN §1). A part sees the headers of the parts it USES and
# of no other: its own folder is published through a directory of its own in the build tree
# (parts/<name>/<name> -> src/<name>), and only the parts it uses add theirs to its include path, so
# an include of a part above it (or beside it) fails to compile. The shared and the static library
# are both made from the objects of every part, in the order the parts were added.
function(pindeck_add_part name)
  cmake_parse_arguments(P "" "" "SOURCES;USES;DEPS" ${ARGN})
  set(target pindeck_${name})
  add_library(${target} OBJECT ${P_SOURCES})

  set(view ${PROJECT_BINARY_DIR}/parts/${name})
  file(MAKE_DIRECTORY ${view})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${name} ${view}/${name} SYMBOLIC)
  target_include_directories(${target} PUBLIC ${view}
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
  target_compile_definitions(${target} PRIVATE PINDECK_BUILDING_LIBRARY)
  foreach(used IN LISTS P_USES)
    if(NOT TARGET pindeck_${used})
      message(FATAL_ERROR "part ${name} uses ${used}, which is not added before it")
    endif()
    target_link_libraries(${target} PUBLIC pindeck_${used})
  endforeach()
  target_link_libraries(${target} PUBLIC ${P_DEPS} PRIVATE pindeck_warnings)
  if(PINDECK_PCH)
    target_precompile_headers(${target} PRIVATE <nlohmann/json.hpp> <algorithm> <chrono>
      <filesystem> <functional> <map> <memory> <optional> <string> <string_view> <vector>)
  endif()
  set_property(GLOBAL APPEND PROPERTY PINDECK_PARTS ${target})
endfunction()
