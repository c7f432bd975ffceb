import { describe, expect, it } from 'vitest';
import { subscribeAll } from '../../../../src/main/handlers/events';
import { LAB_EVENTS, type LabEventMessage } from '../../../../src/shared/contract';
import { createFakeLab } from './fake-lab';

describe('subscribeAll', () => {
  it('forwards every event kind with its name and unsubscribes from all of them', () => {
    const lab = createFakeLab();
    const seen: LabEventMessage[] = [];
    const off = subscribeAll(lab.service, (m) => seen.push(m));
    expect(lab.listenerCount()).toBe(LAB_EVENTS.length);
    lab.emit('run-status', { runId: 'run_a', experimentId: 'exp_a', status: 'running' });
    lab.emit('log', { level: 'info', message: 'hi' });
    lab.emit('dataset-progress', { kind: 'mnist', receivedBytes: 1, totalBytes: null, done: false });
    expect(seen.map((m) => m.event)).toEqual(['run-status', 'log', 'dataset-progress']);
    expect(seen[1]).toEqual({ event: 'log', payload: { level: 'info', message: 'hi' } });
    off();
    expect(lab.listenerCount()).toBe(0);
    lab.emit('log', { level: 'info', message: 'after' });
    expect(seen).toHaveLength(3);
  });
});
