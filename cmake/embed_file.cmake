# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -DNAMESPACE=ns -P embed_file.cmake
# Writes a C++ source holding the bytes of INPUT as a char array (no third-party tools needed).
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('[^']*',){24})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by cmake/embed_file.cmake. Do not edit.\n"
  "#include <cstddef>\n#include <string_view>\n"
  "namespace ${NAMESPACE} {\n"
  "namespace { const char kBytes[${size} + 1] = {\n${bytes}0};\n}\n"
  "std::string_view ${SYMBOL}() { return {kBytes, ${size}}; }\n"
  "}  // namespace ${NAMESPACE}\n")
