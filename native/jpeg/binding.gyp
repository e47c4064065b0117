# The optional native JPEG decoder (docs/decisions/0005-native-jpeg-decode.md). Built by
# scripts/build.mjs with npm's node-gyp; links the system libjpeg(-turbo), nothing is vendored.
{
  "targets": [
    {
      "target_name": "footprint_jpeg",
      "sources": ["footprint_jpeg.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "libraries": ["-ljpeg"],
      "conditions": [
        [
          "OS=='mac'",
          {
            "include_dirs": ["/opt/homebrew/opt/jpeg-turbo/include", "/usr/local/opt/jpeg-turbo/include"],
            "libraries": ["-L/opt/homebrew/opt/jpeg-turbo/lib", "-L/usr/local/opt/jpeg-turbo/lib"]
          }
        ]
      ]
    }
  ]
}
