// Build: TypeScript to dist/, Sass to public/css, the two prebuilt front-end bundles to public/js, and
// the optional native JPEG decoder. Skips the Sass and native steps when their output is newer than
// every source, so `npm start` stays quick.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)

execFileSync(bin('tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })

const css = join(root, 'public', 'css', 'app.css')
const scssDir = join(root, 'assets', 'scss')
const newest = Math.max(...readdirSync(scssDir).map((f) => statSync(join(scssDir, f)).mtimeMs))
if (!existsSync(css) || statSync(css).mtimeMs < newest) {
  mkdirSync(dirname(css), { recursive: true })
  execFileSync(
    bin('sass'),
    // --quiet: MOJ Frontend 11 still calls a GOV.UK mixin that GOV.UK Frontend 6.6 deprecates (harmless).
    [
      '--pkg-importer=node',
      '--load-path=.',
      '--style=compressed',
      '--no-source-map',
      '--quiet',
      join(scssDir, 'app.scss'),
      css,
    ],
    { stdio: 'inherit', cwd: root },
  )
}

const js = join(root, 'public', 'js')
mkdirSync(js, { recursive: true })
copyFileSync(
  join(root, 'node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js'),
  join(js, 'govuk-frontend.min.js'),
)
copyFileSync(
  join(root, 'node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js'),
  join(js, 'moj-frontend.min.js'),
)
copyFileSync(join(root, 'assets', 'js', 'app.mjs'), join(js, 'app.mjs'))

// The native JPEG decoder (native/jpeg, docs/decisions/0005-native-jpeg-decode.md) is optional: without a
// C compiler, libjpeg's headers or Node's headers it is not built, this prints one line, and sharp
// decodes every image. Built only when its .node is missing or older than its sources; a failed build
// leaves its log in native/jpeg/build/failed.txt and is not retried until a source changes or that
// file is deleted.
function buildNativeJpeg() {
  const dir = join(root, 'native', 'jpeg')
  const addon = join(dir, 'build', 'Release', 'footprint_jpeg.node')
  const failed = join(dir, 'build', 'failed.txt')
  const newest = Math.max(...['binding.gyp', 'footprint_jpeg.c'].map((f) => statSync(join(dir, f)).mtimeMs))
  const fresh = (file) => existsSync(file) && statSync(file).mtimeMs >= newest
  const skip = (reason) =>
    console.log(`native JPEG decoder: not built (${reason}); sharp decodes every image`)
  if (fresh(addon)) return
  if (process.env.FOOTPRINT_NATIVE_JPEG === '0') return skip('FOOTPRINT_NATIVE_JPEG=0')
  if (fresh(failed)) {
    return skip('an earlier build failed: see native/jpeg/build/failed.txt, delete it to retry')
  }
  // npm's own node-gyp: named by npm in its scripts, else found beside the running Node, as npm installs it.
  const prefix = dirname(dirname(process.execPath))
  const nodeGyp = [
    process.env.npm_config_node_gyp,
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((file) => file && existsSync(file))
  if (!nodeGyp) return skip("npm's node-gyp not found")
  // Local Node headers, so that node-gyp never tries to download them.
  const nodedir =
    process.env.npm_config_nodedir ||
    (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined)
  const args = [nodeGyp, 'rebuild', '--directory', dir, ...(nodedir ? [`--nodedir=${nodedir}`] : [])]
  try {
    execFileSync(process.execPath, args, { stdio: 'pipe', timeout: 300_000 })
    console.log('native JPEG decoder: built native/jpeg/build/Release/footprint_jpeg.node')
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`
    const lines = output.split('\n').map((line) => line.trim())
    const reason =
      lines.find((line) => /\berror\b/i.test(line) && !line.startsWith('gyp')) ??
      lines.find((line) => line.startsWith('gyp ERR!')) ??
      error.message.split('\n')[0]
    mkdirSync(dirname(failed), { recursive: true })
    writeFileSync(failed, `${args.join(' ')}\n\n${output || error.message}\n`)
    skip(`build failed: ${reason}`)
  }
}

buildNativeJpeg()
