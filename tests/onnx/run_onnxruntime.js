// Evaluates ONNX models with onnxruntime-node, an ONNX runtime independent of
// Amend, for tests/integration/onnx_runtime_test.cc:
//   NODE_PATH=<dir>/node_modules node run_onnxruntime.js JOBS.json
// JOBS.json is [{"model", "input", "rows", "columns", "output"}]: the input is
// rows x columns raw little-endian float32 fed as "features"; "logits" is
// written to the output path the same way. Exits 1 with the reason on stderr.
'use strict';
const fs = require('fs');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (error) {
  console.error(`onnxruntime-node cannot be loaded (NODE_PATH=${
      process.env.NODE_PATH}): ${error.message}`);
  process.exit(1);
}

function readFloats(path) {
  const bytes = fs.readFileSync(path);
  // A copy: a Buffer's byte offset need not be a multiple of 4.
  return new Float32Array(bytes.buffer.slice(
      bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function evaluate(job) {
  // One thread and no graph rewrites beyond the basic ones: the test compares
  // the model as written, not a fused variant of it.
  const session = await ort.InferenceSession.create(job.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'basic',
  });
  if (session.inputNames.join() !== 'features' ||
      session.outputNames.join() !== 'logits') {
    throw new Error(`${job.model}: inputs [${session.inputNames}], outputs [${
        session.outputNames}]; expected [features], [logits]`);
  }
  const features =
      new ort.Tensor('float32', readFloats(job.input), [job.rows, job.columns]);
  const {logits} = await session.run({features});
  if (logits.type !== 'float32' || logits.dims.length !== 2 ||
      logits.dims[0] !== job.rows) {
    throw new Error(`${job.model}: logits ${logits.type} [${logits.dims}]`);
  }
  fs.writeFileSync(job.output, Buffer.from(logits.data.buffer,
                                           logits.data.byteOffset,
                                           logits.data.byteLength));
}

async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  for (const job of jobs) await evaluate(job);
  console.log(`onnxruntime-node ${ort.env.versions.common}: ${
      jobs.length} models evaluated`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
