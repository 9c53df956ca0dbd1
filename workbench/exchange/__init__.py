"""The exchange with the world (指引（五）、（十六）、（十八）–（二十）; the 2024 plan's 标识认证、分级管理、
信息披露): PACT footprints out and in, declarations and labels under published rules, performance
classes, the international comparison, and factors in openLCA's JSON-LD."""
