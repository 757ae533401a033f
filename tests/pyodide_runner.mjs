// Calls xl_roi's Excel functions the way xlwings Lite does, in Pyodide under Node, offline.
//
// Usage: node tests/pyodide_runner.mjs PYODIDE_DIR WHEELS_DIR REQUESTS_JSON
//
// Loads Pyodide from the npm package in PYODIDE_DIR (nothing is fetched: no package from
// Pyodide's CDN, so no numpy or pandas), unpacks every wheel in WHEELS_DIR into site-packages,
// runs REQUESTS_JSON's main_py as the module main (what a user pastes into xlwings Lite's
// main.py), registers main with xlwings.server.custom_functions_meta and makes each call of
// REQUESTS_JSON's calls through xlwings.server.custom_functions_call.
// Each call's payload goes from JavaScript to Python as a JavaScript object (JsProxy.to_py), as
// in the add-in, so a blank cell in a range arrives as Pyodide's jsnull and an error cell as a
// dict. Prints one JSON object: the environment, the metadata and each call's result.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelsDir, requestsPath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const { main_py: mainPy, calls: requests } = JSON.parse(readFileSync(requestsPath, "utf8"));

const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  env: {
    HOME: "/home/pyodide",
    XLWINGS_ON_SERVER: "true",
    XLWINGS_LICENSE_KEY: process.env.XLWINGS_LICENSE_KEY || "noncommercial",
  },
});
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: wheelsDir }, "/wheels");

pyodide.globals.set("MAIN_PY", mainPy);
const call = pyodide.runPython(`
import asyncio
import glob
import json
import sys
import sysconfig
import zipfile

for wheel in sorted(glob.glob("/wheels/*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(sysconfig.get_paths()["purelib"])

import types

import xlwings
import xlwings.server

import xl_roi

main = types.ModuleType("main")
sys.modules["main"] = main
exec(compile(MAIN_PY, "main.py", "exec"), main.__dict__)

COMPILED = ("numpy", "pandas", "duckdb", "pyarrow", "pydantic_core", "xlwingslib")
META = xlwings.server.custom_functions_meta(main)
ENVIRONMENT = {
    "platform": sys.platform,
    "python": sys.version.split()[0],
    "xlwings": xlwings.__version__,
    "xl_roi": xl_roi.__version__,
    "decorator_module": xlwings.func.__module__,
    "compiled_modules_loaded": sorted(
        name for name in sys.modules if name.split(".")[0] in COMPILED
    ),
}


async def call(request):
    payload = request.to_py()
    data = {
        "func_name": payload["func_name"],
        "args": payload["args"],
        "caller_address": "Sheet1!B2",
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "date_format": "m/d/yyyy",
        "culture_info_name": "en-US",
    }
    try:
        result = await xlwings.server.custom_functions_call(data, main)
    except Exception as error:  # reported, never hidden: the test fails on it
        return json.dumps({"raised": f"{type(error).__name__}: {error}"})
    return json.dumps({"result": result}, allow_nan=False)


call
`);

// Each result stays the JSON text Python wrote, so that 2.0 stays a float (JavaScript would
// read it back as 2 and a Python reader then as the int 2).
const results = [];
for (const request of requests) {
  results.push(JSON.stringify(request.id) + ":" + (await call(request)));
}
const environment = JSON.parse(pyodide.runPython("json.dumps(ENVIRONMENT)"));
environment.compiled_modules_after_calls = JSON.parse(
  pyodide.runPython(
    "json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in COMPILED))",
  ),
);
const meta = JSON.parse(pyodide.runPython("json.dumps(META)"));
process.stdout.write(
  `{"environment":${JSON.stringify(environment)},"meta":${JSON.stringify(meta)},` +
    `"results":{${results.join(",")}}}`,
);
