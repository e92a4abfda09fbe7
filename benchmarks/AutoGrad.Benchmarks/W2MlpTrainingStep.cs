using AutoGrad.Optim;
using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// W2 of shared/BENCHMARKS.md (peer: shared/peers/torch_bench.py): one training step of an MLP 784→256→256→10 with
/// ReLU and softmax cross-entropy, batch 128, float32: zero the gradients, forward, backward, Adam update (lr 1e-3).
/// The library's models are float64-only, so the network is written out from float32 tensors (weights [in, out],
/// x·W + b), with <see cref="Loss.SoftmaxCrossEntropy(Tensor, int[], Reduction)"/> and <see cref="Adam"/>. One step per
/// invocation; the parameters keep training across invocations, as the peer's do. The Allocated column shows the
/// managed allocation per step (the target asks for none after warm-up).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class W2MlpTrainingStep
{
    private const int Batch = 128, In = 784, Hidden = 256, Out = 10;
    private const double LearningRate = 1e-3;

    private Tensor _x = null!;
    private int[] _labels = null!;
    private Tensor[] _params = null!; // W1, b1, W2, b2, W3, b3
    private Adam _adam = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn([Batch, In], seed: 31, DType.Float32);
        var rng = new Random(32);
        _labels = Enumerable.Range(0, Batch).Select(_ => rng.Next(Out)).ToArray();
        // PyTorch's nn.Linear initialisation: weights and biases uniform in ±1/√fan_in.
        _params =
        [
            Uniform([In, Hidden], In, 33), Uniform([Hidden], In, 34),
            Uniform([Hidden, Hidden], Hidden, 35), Uniform([Hidden], Hidden, 36),
            Uniform([Hidden, Out], Hidden, 37), Uniform([Out], Hidden, 38),
        ];
        _adam = new Adam(_params, new AdamOptions(learningRate: LearningRate));
        Check();
    }

    private static Tensor Uniform(int[] shape, int fanIn, int seed)
    {
        double bound = 1 / Math.Sqrt(fanIn);
        return ((Tensor.Rand(shape, seed, DType.Float32) * 2 - 1) * bound).RequireGrad();
    }

    private Tensor Loss()
    {
        var p = _params;
        var h1 = (_x.MatMul(p[0]) + p[1]).Relu();
        var h2 = (h1.MatMul(p[2]) + p[3]).Relu();
        return AutoGrad.Loss.SoftmaxCrossEntropy(h2.MatMul(p[4]) + p[5], _labels);
    }

    [Benchmark(Description = "W2 mlp train step f32")]
    public double Step()
    {
        using var scope = TensorScope.Begin();
        _adam.ZeroGrad();
        var loss = Loss();
        loss.Backward();
        _adam.Step();
        return loss.Item();
    }

    /// <summary>
    /// The first step, in parts, against a naive float64 MLP with its backward pass written out: the loss and every
    /// gradient element (to 10⁻³ of the largest of its tensor, float32's rounding over sums of 784 terms), then every
    /// parameter after Adam's first step, which is θ − η·g/(|g| + ε) with the library's own gradients.
    /// </summary>
    private void Check()
    {
        foreach (var p in _params)
            if (p.DType != DType.Float32) throw new InvalidOperationException("W2: a parameter is not float32.");
        var before = _params.Select(p => p.ToArray()).ToArray();
        _adam.ZeroGrad();
        var loss = Loss();
        if (loss.DType != DType.Float32) throw new InvalidOperationException("W2: the loss is not float32.");
        loss.Backward();
        var grads = _params.Select(p => p.Grad!.ToArray()).ToArray();
        _adam.Step();

        var (value, expected) = Naive(_x.ToArray(), _labels, before);
        Verify.Close("W2 loss", value, loss.Item(), 1e-5);
        string[] names = ["dW1", "db1", "dW2", "db2", "dW3", "db3"];
        for (int k = 0; k < 6; k++)
            Verify.Close($"W2 {names[k]}", expected[k], grads[k], 0, 1e-3 * expected[k].Max(Math.Abs));
        for (int k = 0; k < 6; k++)
        {
            var stepped = before[k].Select((p, i) => p - LearningRate * grads[k][i] / (Math.Abs(grads[k][i]) + 1e-8)).ToArray();
            Verify.Close($"W2 parameter {k} after Adam", stepped, _params[k].ToArray(), 1e-6, 1e-7);
        }
    }

    private static (double Loss, double[][] Grads) Naive(double[] x, int[] y, double[][] p)
    {
        double[] w1 = p[0], b1 = p[1], w2 = p[2], b2 = p[3], w3 = p[4], b3 = p[5];
        double[] a1 = Affine(x, w1, b1, Batch, In, Hidden), h1 = a1.Select(v => Math.Max(v, 0)).ToArray();
        double[] a2 = Affine(h1, w2, b2, Batch, Hidden, Hidden), h2 = a2.Select(v => Math.Max(v, 0)).ToArray();
        double[] z = Affine(h2, w3, b3, Batch, Hidden, Out);
        double loss = 0;
        var dz = new double[Batch * Out];
        for (int i = 0; i < Batch; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < Out; c++) max = Math.Max(max, z[i * Out + c]);
            for (int c = 0; c < Out; c++) sum += Math.Exp(z[i * Out + c] - max);
            loss += max + Math.Log(sum) - z[i * Out + y[i]];
            for (int c = 0; c < Out; c++)
                dz[i * Out + c] = (Math.Exp(z[i * Out + c] - max) / sum - (c == y[i] ? 1 : 0)) / Batch;
        }
        var (dw3, db3, dh2) = AffineBack(h2, w3, dz, Batch, Hidden, Out);
        var da2 = dh2.Select((g, i) => a2[i] > 0 ? g : 0).ToArray();
        var (dw2, db2, dh1) = AffineBack(h1, w2, da2, Batch, Hidden, Hidden);
        var da1 = dh1.Select((g, i) => a1[i] > 0 ? g : 0).ToArray();
        var (dw1, db1, _) = AffineBack(x, w1, da1, Batch, In, Hidden);
        return (loss / Batch, [dw1, db1, dw2, db2, dw3, db3]);
    }

    private static double[] Affine(double[] x, double[] w, double[] b, int n, int k, int m)
    {
        var r = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = b[j];
                for (int l = 0; l < k; l++) s += x[i * k + l] * w[l * m + j];
                r[i * m + j] = s;
            }
        return r;
    }

    private static (double[] Dw, double[] Db, double[] Dx) AffineBack(double[] x, double[] w, double[] g, int n, int k, int m)
    {
        double[] dw = new double[k * m], db = new double[m], dx = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double gij = g[i * m + j];
                db[j] += gij;
                for (int l = 0; l < k; l++) { dw[l * m + j] += x[i * k + l] * gij; dx[i * k + l] += gij * w[l * m + j]; }
            }
        return (dw, db, dx);
    }
}
