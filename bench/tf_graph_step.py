# The benchmark's reference: the same tutorial CNN steps in TensorFlow Python, graph mode (tf.function) and eager.
# Usage: python tf_graph_step.py '{"warmup": 5, "steps": 30, "batchSize": 32, "eagerSteps": 5}'  -> one JSON line on stdout.
import json
import statistics
import sys
import time

import tensorflow as tf

ARGS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
WARMUP = int(ARGS.get("warmup", 5))
STEPS = int(ARGS.get("steps", 30))
BATCH = int(ARGS.get("batchSize", 32))
EAGER_STEPS = int(ARGS.get("eagerSteps", 5))
MULTIPLIER, STEP_SIZE = 0.2, 0.2  # NSL tutorial: adv_multiplier, adv_step_size, infinity norm


def build_model(seed):
    # NSL tutorial build_base_model: conv 32/64/64 (3x3, relu), 2x2 max-pool between convs, dense 64, softmax 10.
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


def make_steps(model, optimizer):
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy()

    def plain(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    def adversarial(x, y):
        # As NSL's AdversarialRegularization inside Keras' train step: an inner tape gives the input gradient of
        # the labeled loss, the neighbour is a constant, and the outer tape gives the total loss's weight gradients.
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(x)
                labeled = loss_fn(y, model(x, training=True))
            grad_x = inner.gradient(labeled, x)
            x_adv = tf.stop_gradient(x + STEP_SIZE * tf.sign(grad_x))
            total = labeled + MULTIPLIER * loss_fn(y, model(x_adv, training=True))
        grads = outer.gradient(total, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return total

    return plain, adversarial


def time_step(step, x, y, warmup, steps):
    for _ in range(warmup):
        step(x, y).numpy()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step(x, y).numpy()
        times.append((time.perf_counter() - start) * 1000)
    return {"medianMs": statistics.median(times), "minMs": min(times), "steps": steps}


def main():
    rng = tf.random.Generator.from_seed(7)
    x = rng.uniform((BATCH, 28, 28, 1), 0, 1, dtype=tf.float32)
    y = tf.floor(rng.uniform((BATCH,), 0, 10, dtype=tf.float32))
    result = {
        "tfVersion": tf.__version__,
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
        "interOpThreads": tf.config.threading.get_inter_op_parallelism_threads(),
    }
    for mode in ("graph", "eager"):
        for name in ("plain", "adversarial"):
            model = build_model(42)
            optimizer = tf.keras.optimizers.Adam(learning_rate=0.001, epsilon=1e-7)
            steps = dict(zip(("plain", "adversarial"), make_steps(model, optimizer)))
            step = tf.function(steps[name]) if mode == "graph" else steps[name]
            n = STEPS if mode == "graph" else EAGER_STEPS
            result[f"{mode}_{name}"] = time_step(step, x, y, WARMUP if mode == "graph" else 1, n)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
