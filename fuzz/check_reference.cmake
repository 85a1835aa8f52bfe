# The op reference in fuzz/OPS.md must be what the table generates
# (regenerate with: kmm-fmt --reference > fuzz/OPS.md).
execute_process(COMMAND ${FMT} --reference OUTPUT_VARIABLE now RESULT_VARIABLE rc)
file(READ ${DOC} old)
if(NOT rc EQUAL 0 OR NOT now STREQUAL old)
  message(FATAL_ERROR "fuzz/OPS.md is stale: run kmm-fmt --reference > fuzz/OPS.md")
endif()
