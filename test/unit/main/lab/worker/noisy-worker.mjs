// A stand-in engine worker for the output-filter test: prints TensorFlow's real start-up lines (captured from this
// project's native engine with TF_CPP_MIN_LOG_LEVEL=0), lines of its own on both streams, then exits.
const startup = [
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
  'I0000 00:00:1796175631.269444   27269 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.',
  'To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.',
];
process.stderr.write(`${startup.join('\n')}\n`);
process.stdout.write('worker says hello on stdout\n');
// one line in two writes, split inside a multi-byte character (ε is 0xCE 0xB5)
const line = Buffer.from('E0000 00:00:1796175632.000001   27269 real_error.cc:12] OOM at ε=0.3\n');
const cut = line.indexOf(0xb5);
process.stderr.write(line.subarray(0, cut));
setTimeout(() => {
  process.stderr.write(line.subarray(cut));
  process.stderr.write('no newline at the end', () => process.exit(3));
}, 50);
