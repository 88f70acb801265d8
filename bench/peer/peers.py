#!/usr/bin/env python3
"""The peers hypatia-bench compares with: numpy, PyTensor (C backend, FAST_RUN
rewrites) and JAX jit on CPU. Run by hypatia-bench as a subprocess; Python is
for benchmarks only, never a dependency of the library.

  peers.py run MANIFEST --threads N --out FILE
      Times every case of MANIFEST (written by hypatia-bench) that runs on N
      threads, on the same .npy inputs hypatia used: best of several runs after
      a warm-up; checks each result against hypatia's output (.npy).
  peers.py compile --out FILE [--quick]
      Compile time of the 10,000-node elementwise chain and of the 200-layer MLP
      gradient graph, and the compile latency of the tutorial's MLP training
      step cold and with a warm cache; each measurement in a fresh process.
  peers.py compile-child WHAT PEER
      One such measurement (internal); prints one JSON line.

Results are JSON; a peer that cannot be imported or fails is reported with
its error, and the others go on.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

PEERS = ("numpy", "pytensor", "jax")


def restrict_threads(threads):
    """Before numpy or jax is imported: one core, or all of them."""
    if threads == 1:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = "1"
        os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    else:
        os.environ.setdefault("PYTENSOR_FLAGS", "openmp=True")


def import_peer(name):
    """The peer's namespace of array functions, or raises."""
    if name == "numpy":
        import numpy as np

        class NumpyLib:
            exp, tanh, log, sum, max, maximum, dot = np.exp, np.tanh, np.log, np.sum, np.max, np.maximum, np.dot

            @staticmethod
            def sigmoid(x):
                return 1 / (1 + np.exp(-x))

            @staticmethod
            def softmax(x):
                e = np.exp(x - x.max(axis=-1, keepdims=True))
                return e / e.sum(axis=-1, keepdims=True)

            @staticmethod
            def logsumexp_rows(x):  # what a numpy user writes: the stable form
                m = x.max(axis=1, keepdims=True)
                return np.log(np.sum(np.exp(x - m), axis=1)) + m[:, 0]

        return NumpyLib
    if name == "pytensor":
        import pytensor
        import pytensor.tensor as pt

        class PytensorLib:
            exp, tanh, log, sum, max, maximum, dot = pt.exp, pt.tanh, pt.log, pt.sum, pt.max, pt.maximum, pt.dot
            sigmoid = staticmethod(pt.sigmoid)
            softmax = staticmethod(lambda x: pt.special.softmax(x, axis=-1))
            logsumexp_rows = staticmethod(lambda x: pt.log(pt.sum(pt.exp(x), axis=1)))
            version = pytensor.__version__

        return PytensorLib
    if name == "jax":
        import jax

        jax.config.update("jax_platforms", "cpu")
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        class JaxLib:
            exp, tanh, log, sum, max, maximum, dot = jnp.exp, jnp.tanh, jnp.log, jnp.sum, jnp.max, jnp.maximum, jnp.dot
            sigmoid = staticmethod(jax.nn.sigmoid)
            softmax = staticmethod(lambda x: jax.nn.softmax(x, axis=-1))
            logsumexp_rows = staticmethod(lambda x: jnp.log(jnp.sum(jnp.exp(x), axis=1)))
            version = jax.__version__

        return JaxLib
    raise ValueError(name)


# --- the graphs, written once for all three libraries -------------------------


def graph_fn(case, m):
    """A function of the case's inputs returning a list of outputs, in lib m."""
    graph = case["graph"]
    if graph == "chain":
        return lambda a, b, c: [m.sigmoid(a * b + c) * m.tanh(a) - m.exp(-(b * b)) + 0.5 * c]
    if graph == "softmax":
        return lambda x: [m.softmax(x)]
    if graph == "logsumexp":
        return lambda x: [m.logsumexp_rows(x)]
    if graph == "reduce":
        return lambda x, y: [m.sum(m.exp(x - y))]
    if graph == "gemm":
        return lambda A, B, C: [m.dot(A, B) + C]
    if graph == "mul_add":
        return lambda a, b, c: [a * b + c]
    if graph == "axpy":
        return lambda x, alpha, y: [x * alpha + y]
    if graph == "relu_add":
        return lambda x, y: [m.maximum(x, 0) + y]
    raise ValueError(graph)


def mlp_cost(m, X, y, params):
    h = X
    for W, b in zip(params[0::2], params[1::2]):
        h = m.sigmoid(m.dot(W, h) + b)
    return m.sum((h - y) ** 2)


def numpy_mlp(X, y, *params):
    """Forward and backward by hand, as a numpy user writes it."""
    import numpy as np

    hs = [X]
    for W, b in zip(params[0::2], params[1::2]):
        hs.append(1 / (1 + np.exp(-(W @ hs[-1] + b))))
    diff = hs[-1] - y
    grads = []
    delta = 2 * diff * hs[-1] * (1 - hs[-1])
    for layer in range(len(params) // 2, 0, -1):
        W = params[2 * layer - 2]
        grads = [delta @ hs[layer - 1].T, delta.sum(axis=1, keepdims=True)] + grads
        if layer > 1:
            delta = (W.T @ delta) * hs[layer - 1] * (1 - hs[layer - 1])
    return [np.sum(diff * diff)] + grads


def logreg_step(m, x, y, w, b, grad):
    """Theano's logistic regression step as its documentation writes it."""
    p_1 = 1 / (1 + m.exp(-m.dot(x, w) - b))
    xent = -y * m.log(p_1) - (1 - y) * m.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = grad(cost, [w, b])
    return [p_1 > 0.5, xent, w - 0.1 * gw, b - 0.1 * gb]


def numpy_logreg(x, y, w, b):
    """The same step by hand, as a numpy user writes it: the crossentropy in
    its stable form (the naive one is inf where p_1 rounds to 1) and its
    gradient sigmoid(z) - y."""
    import numpy as np

    z = x @ w + b
    xent = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
    gz = (1 / (1 + np.exp(-z)) - y) / len(y)
    return [z > 0, xent, w - 0.1 * (x.T @ gz + 0.02 * w), b - 0.1 * gz.sum()]


def build(peer, m, case):
    """A callable running the case on already-loaded arrays, returning outputs."""
    n_inputs = len(case["inputs"])
    if peer == "numpy":
        if case["graph"] == "logreg":
            return numpy_logreg
        return numpy_mlp if case["graph"] == "mlp" else graph_fn(case, m)
    if peer == "jax":
        import jax

        if case["graph"] == "mlp":
            value_and_grad = jax.value_and_grad(lambda params, X, y: mlp_cost(m, X, y, params))

            def mlp_fn(X, y, *params):
                cost, grads = value_and_grad(list(params), X, y)
                return [cost] + list(grads)

            f = jax.jit(mlp_fn)
        elif case["graph"] == "logreg":
            def logreg_fn(x, y, w, b):
                def cost_of(params):
                    p_1 = 1 / (1 + m.exp(-m.dot(x, params[0]) - params[1]))
                    xent = -y * m.log(p_1) - (1 - y) * m.log(1 - p_1)
                    return xent.mean() + 0.01 * (params[0] ** 2).sum(), (p_1, xent)

                (_, (p_1, xent)), (gw, gb) = jax.value_and_grad(cost_of, has_aux=True)([w, b])
                return [p_1 > 0.5, xent, w - 0.1 * gw, b - 0.1 * gb]

            f = jax.jit(logreg_fn)
        else:
            f = jax.jit(graph_fn(case, m))
        return lambda *args: jax.block_until_ready(f(*args))
    # PyTensor: symbolic inputs of the data's dtypes and ranks; b columns broadcast.
    import pytensor
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode

    mode = Mode(linker="cvm", optimizer="fast_run")
    dtype = case["dtype"]
    shapes = case["shapes"]
    if case["graph"] == "logreg":
        x, y, w, b = pt.matrix("x", dtype=dtype), pt.vector("y", dtype=dtype), pt.vector("w", dtype=dtype), pt.scalar("b", dtype=dtype)
        return pytensor.function([x, y, w, b], logreg_step(m, x, y, w, b, pytensor.grad), mode=mode)
    if case["graph"] == "mlp":
        X, y = pt.matrix("X", dtype=dtype), pt.vector("y", dtype=dtype)
        params = []
        for i in range(2, n_inputs):
            params.append(pt.matrix(f"W{i}", dtype=dtype) if i % 2 == 0 else pt.col(f"b{i}", dtype=dtype))
        cost = mlp_cost(m, X, y, params)
        outputs = [cost] + pytensor.grad(cost, params)
        return pytensor.function([X, y] + params, outputs, mode=mode)
    inputs = [pt.tensor(f"x{i}", dtype=dtype, shape=(None,) * len(shape)) for i, shape in enumerate(shapes)]
    return pytensor.function(inputs, graph_fn(case, m)(*inputs), mode=mode)


def best_ms(fn, args, quick):
    fn(*args)  # warm-up (and JIT compile)
    min_runs, max_runs, budget = (2, 10, 60.0) if quick else (5, 50, 400.0)
    best, total, runs = float("inf"), 0.0, 0
    while runs < max_runs and (runs < min_runs or total < budget):
        start = time.perf_counter()
        fn(*args)
        ms = (time.perf_counter() - start) * 1e3
        best, total, runs = min(best, ms), total + ms, runs + 1
    return best


def max_rel_error(got, want):
    """max |got - want| / max |want| over all outputs (want: hypatia's output)."""
    import numpy as np

    worst = 0.0
    for g, w in zip(got, want):
        g = np.asarray(g, dtype=np.float64)
        w = np.asarray(w, dtype=np.float64)
        if g.shape != w.shape:
            g = g.reshape(w.shape)
        scale = max(float(np.max(np.abs(w))) if w.size else 0.0, 1e-300)
        worst = max(worst, float(np.max(np.abs(g - w))) / scale if w.size else 0.0)
    return worst


def command_run(args):
    restrict_threads(args.threads)
    import numpy as np

    with open(args.manifest) as f:
        manifest = json.load(f)
    base = os.path.dirname(os.path.abspath(args.manifest))
    quick = manifest.get("quick", False)
    libs, result = {}, {"threads": args.threads, "peers": {}, "cases": {}}
    for peer in PEERS:
        try:
            libs[peer] = import_peer(peer)
            result["peers"][peer] = {"version": getattr(libs[peer], "version", np.__version__)}
        except Exception as error:  # reported in the table; the others go on
            result["peers"][peer] = {"error": f"{type(error).__name__}: {error}"}
    for case in manifest["cases"]:
        if case["threads"] != args.threads:
            continue
        data = [np.load(os.path.join(base, name)) for name in case["inputs"]]
        expected = [np.load(os.path.join(base, name)) for name in case["expected"]]
        tolerance = 1e-4 if case["dtype"] == "float32" else 1e-8
        entry = {}
        for peer, m in libs.items():
            try:
                fn = build(peer, m, case)
                run_args = data
                if peer == "jax":
                    import jax

                    run_args = [jax.device_put(x) for x in data]
                ms = best_ms(fn, run_args, quick)
                error = max_rel_error(fn(*run_args), expected)
                entry[peer] = {"ms": ms, "max_rel_error": error, "ok": bool(error <= tolerance)}
            except Exception as error:
                entry[peer] = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
                traceback.print_exc(file=sys.stderr)
        result["cases"][case["id"]] = entry
        print(f"peers ({args.threads}T): {case['id']} done", file=sys.stderr, flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


# --- compile time and latency ----------------------------------------------------

CHAIN_STEPS = 3334  # 3 ops a step: tanh, mul, add -> 10,002 nodes
MLP_DEEP_LAYERS = [2] + [16] * 199 + [1]  # 200 sigmoid layers
MLP_STEP_LAYERS = [2, 4, 1]  # the tutorial's network


def child_chain10k(peer, m):
    if peer == "jax":
        import jax
        import numpy as np

        def chain(x, a, b):
            y = x
            for _ in range(CHAIN_STEPS):
                y = m.tanh(y) * a + b
            return y

        data = [np.zeros(1024)] * 3
        start = time.perf_counter()
        jax.jit(chain).lower(*data).compile()
        return (time.perf_counter() - start) * 1e3
    import pytensor
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode

    x, a, b = pt.vector("x"), pt.vector("a"), pt.vector("b")
    y = x
    for _ in range(CHAIN_STEPS):
        y = pt.tanh(y) * a + b
    start = time.perf_counter()
    pytensor.function([x, a, b], y, mode=Mode(linker="cvm", optimizer="fast_run"))
    return (time.perf_counter() - start) * 1e3


def mlp_params(layers):
    import numpy as np

    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        params += [rng.normal(size=(n_out, n_in)) / np.sqrt(n_in), np.ones((n_out, 1))]
    return params


def child_mlp(peer, m, layers, training_step):
    """Gradient graph (training_step False) or the tutorial's momentum step."""
    import numpy as np

    params = mlp_params(layers)
    X, y = np.zeros((layers[0], 1000)), np.zeros(1000)
    lr, momentum = 0.01, 0.9
    if peer == "jax":
        import jax

        grad = jax.value_and_grad(lambda p, X, y: mlp_cost(m, X, y, p))
        if training_step:
            def step(p, v, X, y):
                cost, g = grad(p, X, y)
                return cost, [pi - lr * vi for pi, vi in zip(p, v)], [momentum * vi + (1 - momentum) * gi for vi, gi in zip(v, g)]

            start = time.perf_counter()
            jax.jit(step).lower(params, [np.zeros_like(p) for p in params], X, y).compile()
        else:
            start = time.perf_counter()
            jax.jit(grad).lower(params, X, y).compile()
        return (time.perf_counter() - start) * 1e3
    import pytensor
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode

    shared = [pytensor.shared(p, shape=(None, 1) if i % 2 else (None, None)) for i, p in enumerate(params)]
    Xs, ys = pt.matrix("X"), pt.vector("y")
    cost = mlp_cost(m, Xs, ys, shared)
    grads = pytensor.grad(cost, shared)
    mode = Mode(linker="cvm", optimizer="fast_run")
    start = time.perf_counter()
    if training_step:
        updates = []
        for p, g in zip(shared, grads):
            v = pytensor.shared(np.zeros_like(p.get_value()), shape=p.type.shape)
            updates += [(p, p - lr * v), (v, momentum * v + (1 - momentum) * g)]
        pytensor.function([Xs, ys], cost, updates=updates, mode=mode)
    else:
        pytensor.function([Xs, ys], [cost] + grads, mode=mode)
    return (time.perf_counter() - start) * 1e3


def command_compile_child(args):
    sys.setrecursionlimit(200000)
    start = time.perf_counter()
    m = import_peer(args.peer)
    import_ms = (time.perf_counter() - start) * 1e3
    if args.peer == "jax" and os.environ.get("HYPATIA_BENCH_JAX_CACHE"):
        import jax

        jax.config.update("jax_compilation_cache_dir", os.environ["HYPATIA_BENCH_JAX_CACHE"])
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    if args.what == "prime":
        import pytensor
        import pytensor.tensor as pt

        s = pt.scalar()
        pytensor.function([s], s + 1)
        ms = 0.0
    elif args.what == "chain10k":
        ms = child_chain10k(args.peer, m)
    elif args.what == "mlp200":
        ms = child_mlp(args.peer, m, MLP_DEEP_LAYERS, False)
    else:
        ms = child_mlp(args.peer, m, MLP_STEP_LAYERS, True)
    print(json.dumps({"compile_ms": ms, "import_ms": import_ms}), flush=True)


def run_child(what, peer, env_extra, timeout):
    """One fresh process; its JSON, plus its wall time, or an error."""
    env = dict(os.environ, **env_extra)
    command = [sys.executable, os.path.abspath(__file__), "compile-child", what, peer]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    wall = (time.perf_counter() - start) * 1e3
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail[:200]}"}
    result = json.loads(lines[-1])
    result["process_ms"] = wall
    return result


def command_compile(args):
    timeout = 120 if args.quick else 240
    result = {}
    scratch = tempfile.mkdtemp(prefix="hypatia-bench-peers-")
    try:
        # PyTensor: a fresh compile dir, primed with one tiny function so that
        # its own C modules (lazylinker) are built; then each cold measurement
        # gets a copy of it.
        primed = os.path.join(scratch, "pytensor-primed")
        prime = run_child("prime", "pytensor", {"PYTENSOR_FLAGS": f"base_compiledir={primed}"}, timeout)

        def pytensor_env(name):
            target = os.path.join(scratch, name)
            if os.path.isdir(primed):
                shutil.copytree(primed, target)
            return {"PYTENSOR_FLAGS": f"base_compiledir={target}"}

        whats = ["mlp-step", "mlp200"] + ([] if args.quick else ["chain10k"])
        for peer in ("pytensor", "jax"):
            entry = result.setdefault(peer, {})
            if peer == "pytensor" and "error" in prime:
                entry["error"] = prime["error"]
                continue
            for what in whats:
                print(f"peers: compile {what} with {peer}", file=sys.stderr, flush=True)
                if peer == "pytensor":
                    env = pytensor_env(what)
                else:
                    env = {"HYPATIA_BENCH_JAX_CACHE": os.path.join(scratch, "jax-" + what)}
                entry[what] = run_child(what, peer, env, timeout)
                if what == "mlp-step":  # again with the cache the first run filled
                    entry["mlp-step-warm"] = run_child(what, peer, env, timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("manifest")
    run.add_argument("--threads", type=int, default=1)
    run.add_argument("--out", required=True)
    compile_ = sub.add_parser("compile")
    compile_.add_argument("--out", required=True)
    compile_.add_argument("--quick", action="store_true")
    child = sub.add_parser("compile-child")
    child.add_argument("what", choices=["prime", "chain10k", "mlp200", "mlp-step"])
    child.add_argument("peer", choices=["pytensor", "jax"])
    args = parser.parse_args()
    {"run": command_run, "compile": command_compile, "compile-child": command_compile_child}[args.command](args)


if __name__ == "__main__":
    main()
