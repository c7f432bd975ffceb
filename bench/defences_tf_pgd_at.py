# The defence bench's reference: PGD adversarial training of the tutorial CNN in TensorFlow Python, graph mode.
# Usage: python defences_tf_pgd_at.py '{"warmup": 2, "steps": 10, "configs": [{"name": "pgd-at", "batchSize": 32,
#          "steps": 10, "epsilon": 0.3, "stepSize": 0.03}], "plainBatchSizes": [32]}'  -> one JSON line on stdout.
# One PGD-AT step (one tf.function): a uniform random start in the ε-ball clipped to [0, 1], `steps` signed gradient
# steps of `stepSize` on the cross-entropy, each projected onto the ε-ball and [0, 1], then one Adam update on the
# cross-entropy of the adversarial batch only (Madry et al.). The inner loop is a Python loop, unrolled in the graph.
import json
import statistics
import sys
import time

import tensorflow as tf

ARGS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
WARMUP = int(ARGS.get("warmup", 2))
STEPS = int(ARGS.get("steps", 10))
CONFIGS = ARGS.get("configs", [{"name": "pgd-at", "batchSize": 32, "steps": 10, "epsilon": 0.3, "stepSize": 0.075}])
PLAIN_BATCH_SIZES = ARGS.get("plainBatchSizes", [])


def build_model(seed):
    # NSL tutorial build_base_model (as bench/tf_graph_step.py): conv 32/64/64 (3x3, relu), 2x2 max-pool between
    # convs, dense 64, softmax 10.
    tf.keras.utils.set_random_seed(seed)
    inputs = tf.keras.Input(shape=(28, 28, 1), dtype=tf.float32, name="image")
    x = inputs
    filters = [32, 64, 64]
    for i, f in enumerate(filters):
        x = tf.keras.layers.Conv2D(f, (3, 3), activation="relu")(x)
        if i < len(filters) - 1:
            x = tf.keras.layers.MaxPooling2D((2, 2))(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(64, activation="relu")(x)
    outputs = tf.keras.layers.Dense(10, activation="softmax")(x)
    return tf.keras.Model(inputs, outputs)


def make_pgd_at_step(model, optimizer, k, epsilon, step_size):
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def step(x, y):
        x_adv = tf.clip_by_value(x + tf.random.uniform(tf.shape(x), -epsilon, epsilon), 0.0, 1.0)
        for _ in range(k):
            with tf.GradientTape() as tape:
                tape.watch(x_adv)
                inner = loss_fn(y, model(x_adv, training=True))
            grad = tape.gradient(inner, x_adv)
            x_adv = tf.clip_by_value(x_adv + step_size * tf.sign(grad), x - epsilon, x + epsilon)
            x_adv = tf.clip_by_value(x_adv, 0.0, 1.0)
        x_adv = tf.stop_gradient(x_adv)
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x_adv, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return step


def make_plain_step(model, optimizer):
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return step


def time_step(step, x, y):
    for _ in range(WARMUP):
        step(x, y).numpy()
    times = []
    for _ in range(STEPS):
        start = time.perf_counter()
        step(x, y).numpy()
        times.append((time.perf_counter() - start) * 1000)
    return {"medianMs": statistics.median(times), "minMs": min(times), "steps": STEPS}


def batch(size):
    rng = tf.random.Generator.from_seed(7)
    x = rng.uniform((size, 28, 28, 1), 0, 1, dtype=tf.float32)
    y = tf.floor(rng.uniform((size,), 0, 10, dtype=tf.float32))
    return x, y


def fresh():
    return build_model(42), tf.keras.optimizers.Adam(learning_rate=0.001, epsilon=1e-7)


def main():
    tf.random.set_seed(0)
    result = {
        "tfVersion": tf.__version__,
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
        "interOpThreads": tf.config.threading.get_inter_op_parallelism_threads(),
        "timings": {},
    }
    for size in PLAIN_BATCH_SIZES:
        model, optimizer = fresh()
        x, y = batch(int(size))
        result["timings"][f"plain@{int(size)}"] = time_step(make_plain_step(model, optimizer), x, y)
    for c in CONFIGS:
        model, optimizer = fresh()
        x, y = batch(int(c["batchSize"]))
        step = make_pgd_at_step(model, optimizer, int(c["steps"]), float(c["epsilon"]), float(c["stepSize"]))
        result["timings"][c["name"]] = time_step(step, x, y)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
