// TF.js in the host process, for its light work (model exports, base model checks); loaded on demand.
import type * as TF from '@tensorflow/tfjs';

/**
 * TF.js, ready on whichever backend the host has: the pure-JS one, unless native TF was loaded in this process.
 * On the pure-JS backend its warnings are silenced: it greets Node users on stderr with advice to install
 * tfjs-node, which is wrong here (training runs in the engine worker on native TF) and breaks the CLI's
 * one-line error output.
 */
export async function hostTf(): Promise<typeof TF> {
  const tf = await import('@tensorflow/tfjs');
  await tf.ready();
  if (tf.getBackend() === 'cpu') tf.env().set('PROD', true);
  return tf;
}
