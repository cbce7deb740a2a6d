// What the client-compatibility scripts share: waiting for a condition, and reporting steps in a way the Java IT
// checks ("ok - …" per step, then "<name>: N passed, 0 failed"; any failure exits non-zero).

export function waitFor(what, predicate, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const check = () => {
      if (predicate()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(check, 10)
    }
    check()
  })
}

// Runs the steps of one script; cleanup() runs whatever the outcome.
export async function run(name, limitMs, steps, cleanup) {
  let passed = 0
  const ok = step => { passed++; console.log(`ok - ${step}`) }
  const timer = setTimeout(() => { console.error(`not ok - ${name}: whole run timed out`); process.exit(3) }, limitMs)
  try {
    await steps(ok)
    cleanup()
    clearTimeout(timer)
    console.log(`${name}: ${passed} passed, 0 failed`)
    process.exit(0)
  } catch (error) {
    console.error(`not ok - ${error.stack || error}`)
    cleanup()
    process.exit(1)
  }
}
