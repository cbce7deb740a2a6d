// Bundles the official AnyCable web client for the demo page into one minified ES module, and writes the licence
// notices of every package in it beside the bundle. Nothing it writes is committed: the Maven build runs it
// (`npm ci`, then `npm run build -- <dir>`) and packs <dir> into the WAR as /demo/vendor/.
// Usage: node build.mjs [output dir]   (default: ../../../target/frontend/demo/vendor)
import { build } from 'esbuild'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const outDir = resolve(process.argv[2] ?? '../../../target/frontend/demo/vendor')
mkdirSync(outDir, { recursive: true })

const result = await build({
  entryPoints: ['anycable.js'],
  outfile: join(outDir, 'anycable.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  metafile: true,
  legalComments: 'eof',
  banner: { js: '/*! @anycable/web bundled for the jcable demo; licences in anycable.licenses.txt */' },
  logLevel: 'warning'
})

// one notice per bundled package: name, version, licence, and its LICENSE file when it ships one
const packages = new Set()
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)
  if (match) packages.add(match[1])
}
const notices = [...packages].sort().map(name => {
  const dir = join('node_modules', name)
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const author = typeof meta.author === 'object' ? meta.author.name : meta.author
  const licenceFile = readdirSync(dir).find(file => /^licen[sc]e/i.test(file))
  const text = licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim()
    : `${meta.license} licence${author ? `, copyright ${author}` : ''} (the package ships no licence file)`
  return `${meta.name} ${meta.version} (${meta.license})\n\n${text}\n`
})
writeFileSync(join(outDir, 'anycable.licenses.txt'), notices.join('\n' + '-'.repeat(72) + '\n\n'))

const size = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes
console.log(`bundled ${[...packages].sort().join(', ')} into ${join(outDir, 'anycable.js')} (${size} bytes)`)
if (!existsSync(join(outDir, 'anycable.js'))) process.exit(1)
