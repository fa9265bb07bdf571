{
  "targets": [
    {
      "target_name": "isal_crc32c",
      "sources": ["isal_crc32c.c"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lisal"]
    }
  ]
}
