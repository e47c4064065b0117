// Build: TypeScript to dist/, Sass to public/css, and the two prebuilt front-end bundles to public/js.
// Skips the Sass step when the stylesheet is newer than every source, so `npm start` stays quick.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
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
