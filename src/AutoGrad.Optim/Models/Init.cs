using System.Globalization;

namespace AutoGrad.Optim.Models;

/// <summary>
/// How a layer's weights and bias are initialised, as <c>torch.nn.init</c>. Every scheme draws from an
/// <see cref="Rng"/>, so a seed fixes the result on every machine: the weight first, row-major, then the bias.
/// </summary>
/// <remarks>
/// <para>For a weight of shape [out, in, k…] (torch's layout), fan_in = in·Πk and fan_out = out·Πk. A layer with
/// fan_in inputs of unit variance and weights of variance v gives outputs of variance fan_in·v, so keeping
/// activations at a constant scale through depth means v ≈ 1/fan_in (He et al. add the factor 2 lost to ReLU's
/// zeroed half; Glorot and Bengio average fan_in and fan_out to keep gradients at scale too).</para>
/// <para>The bias is zero, except under <see cref="TorchDefault"/>, which reproduces <c>torch.nn.Linear</c>'s own
/// initialisation.</para>
/// <para>A scheme of one's own derives from this class and overrides <see cref="FillWeight"/> (and <see cref="FillBias"/>
/// for a non-zero bias).</para>
/// </remarks>
public abstract class Init
{
    /// <summary>For derived schemes.</summary>
    protected Init() { }

    /// <summary>The scheme's name and arguments, as shown by <see cref="ToString"/> ("HeNormal").</summary>
    public abstract override string ToString();

    /// <summary>A weight tensor of <paramref name="shape"/> (rank ≥ 2, [out, in, …]) drawn from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentException">The shape has rank below 2 or a zero fan.</exception>
    public Tensor Weight(int[] shape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var (fanIn, fanOut) = Fans(shape);
        var t = Tensor.Zeros(shape);
        var s = t.Span<double>();
        FillWeight(s, fanIn, fanOut, rng);
        return t;
    }

    /// <summary>A bias vector of <paramref name="features"/> entries for a layer with <paramref name="fanIn"/> inputs: zeros except under <see cref="TorchDefault"/>.</summary>
    public Tensor Bias(int features, int fanIn, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Tensor.Zeros(features);
        FillBias(t.Span<double>(), fanIn, rng);
        return t;
    }

    /// <summary>Writes the weights (row-major, zero on entry) for a layer with the given fans, drawing from <paramref name="rng"/>.</summary>
    protected abstract void FillWeight(Span<double> w, int fanIn, int fanOut, Rng rng);

    /// <summary>Writes the bias (zero on entry); the default leaves it at zero.</summary>
    protected virtual void FillBias(Span<double> b, int fanIn, Rng rng) { }

    /// <summary>
    /// (fan_in, fan_out) of a weight of shape [out, in, k…], as torch's <c>_calculate_fan_in_and_fan_out</c>:
    /// in·Πk and out·Πk.
    /// </summary>
    /// <exception cref="ArgumentException">The shape has rank below 2 (torch refuses it too) or a zero dimension.</exception>
    public static (int FanIn, int FanOut) Fans(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < 2)
            throw new ArgumentException(FormattableString.Invariant($"Init: fan_in and fan_out need a weight of rank ≥ 2 ([out, in, …]), got shape {Shape.Format(shape)}."), nameof(shape));
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        int fanIn = shape[1] * receptive, fanOut = shape[0] * receptive;
        if (fanIn <= 0 || fanOut <= 0)
            throw new ArgumentException(FormattableString.Invariant($"Init: a weight of shape {Shape.Format(shape)} has a zero fan; every dimension must be positive."), nameof(shape));
        return (fanIn, fanOut);
    }

    /// <summary>
    /// The gain torch's <c>calculate_gain</c> recommends for an activation: √2 for ReLU, 5/3 for tanh, 1 for sigmoid
    /// and identity. It multiplies the standard deviation of <see cref="XavierNormal"/> and <see cref="XavierUniform"/>.
    /// </summary>
    public static double Gain(Activation activation) => activation switch
    {
        Activation.Relu => Math.Sqrt(2),
        Activation.Tanh => 5.0 / 3,
        Activation.Sigmoid or Activation.Identity => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), FormattableString.Invariant($"Init.Gain: unknown activation {(int)activation}.")),
    };

    /// <summary>
    /// All zeros, weight and bias. Every hidden unit of a layer then computes the same function and receives the same
    /// gradient, so they stay identical however long one trains: the symmetry that random initialisation breaks.
    /// torch: <c>nn.init.zeros_</c>.
    /// </summary>
    public static Init Zeros() => new ConstantInit(0);

    /// <summary>
    /// Every weight equal to <paramref name="value"/> and the bias zero: like <see cref="Zeros"/>, the hidden units stay
    /// identical (they move, but together). torch: <c>nn.init.constant_</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite.</exception>
    public static Init Constant(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), FormattableString.Invariant($"Init.Constant: the value must be finite, got {value}."));
        return new ConstantInit(value);
    }

    /// <summary>
    /// He (Kaiming) normal for ReLU layers: w ~ N(0, 2/fan_in), standard deviation √(2/fan_in). He et al., "Delving
    /// deep into rectifiers", ICCV 2015. torch: <c>nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu')</c>.
    /// </summary>
    public static Init HeNormal() => new RandomInit("HeNormal", uniform: false, (fanIn, _) => Math.Sqrt(2.0 / fanIn));

    /// <summary>
    /// He (Kaiming) uniform for ReLU layers: w ~ U(−b, b) with b = √(6/fan_in), so the variance is 2/fan_in as for
    /// <see cref="HeNormal"/>. torch: <c>nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu')</c>.
    /// </summary>
    public static Init HeUniform() => new RandomInit("HeUniform", uniform: true, (fanIn, _) => Math.Sqrt(2.0 / fanIn));

    /// <summary>
    /// Xavier (Glorot) normal: w ~ N(0, gain²·2/(fan_in + fan_out)). Glorot and Bengio, "Understanding the difficulty
    /// of training deep feedforward neural networks", AISTATS 2010. torch: <c>nn.init.xavier_normal_(w, gain)</c>.
    /// </summary>
    /// <param name="gain">Scales the standard deviation; <see cref="Gain"/> gives torch's recommended values (5/3 for tanh).</param>
    /// <exception cref="ArgumentOutOfRangeException">The gain is not positive and finite.</exception>
    public static Init XavierNormal(double gain = 1) =>
        new RandomInit(Named("XavierNormal", gain), uniform: false, (fanIn, fanOut) => CheckedGain("XavierNormal", gain) * Math.Sqrt(2.0 / (fanIn + fanOut)));

    /// <summary>
    /// Xavier (Glorot) uniform: w ~ U(−b, b) with b = gain·√(6/(fan_in + fan_out)), the variance of
    /// <see cref="XavierNormal"/>. torch: <c>nn.init.xavier_uniform_(w, gain)</c>.
    /// </summary>
    /// <param name="gain">Scales the bound; <see cref="Gain"/> gives torch's recommended values.</param>
    /// <exception cref="ArgumentOutOfRangeException">The gain is not positive and finite.</exception>
    public static Init XavierUniform(double gain = 1) =>
        new RandomInit(Named("XavierUniform", gain), uniform: true, (fanIn, fanOut) => CheckedGain("XavierUniform", gain) * Math.Sqrt(2.0 / (fanIn + fanOut)));

    /// <summary>
    /// What <c>torch.nn.Linear</c> does by default: weight and bias both ~ U(−1/√fan_in, 1/√fan_in) (torch writes
    /// the weight as <c>kaiming_uniform_(w, a=√5)</c>, which is the same bound), so the weight variance is
    /// 1/(3·fan_in). The default of <see cref="Linear"/> and <see cref="Mlp"/>.
    /// </summary>
    public static Init TorchDefault() => new TorchDefaultInit();

    private static double CheckedGain(string name, double gain)
    {
        if (!(gain > 0) || !double.IsFinite(gain))
            throw new ArgumentOutOfRangeException(nameof(gain), FormattableString.Invariant($"Init.{name}: the gain must be positive and finite, got {gain}."));
        return gain;
    }

    private static string Named(string name, double gain)
    {
        CheckedGain(name, gain);
        return gain == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}(gain {gain:G6})");
    }

    private sealed class ConstantInit(double value) : Init
    {
        public override string ToString() => value == 0 ? "Zeros" : string.Create(CultureInfo.InvariantCulture, $"Constant({value:G6})");
        protected override void FillWeight(Span<double> w, int fanIn, int fanOut, Rng rng) => w.Fill(value);
    }

    /// <summary>Zero-mean normal or uniform weights whose standard deviation is a function of the fans.</summary>
    private sealed class RandomInit(string name, bool uniform, Func<int, int, double> std) : Init
    {
        public override string ToString() => name;

        protected override void FillWeight(Span<double> w, int fanIn, int fanOut, Rng rng)
        {
            double s = std(fanIn, fanOut);
            // U(−b, b) has variance b²/3, so the bound for standard deviation s is √3·s.
            double b = Math.Sqrt(3) * s;
            for (int i = 0; i < w.Length; i++) w[i] = uniform ? b * (2 * rng.NextDouble() - 1) : s * rng.NextGaussian();
        }
    }

    private sealed class TorchDefaultInit : Init
    {
        public override string ToString() => "TorchDefault";

        protected override void FillWeight(Span<double> w, int fanIn, int fanOut, Rng rng) => Uniform(w, 1 / Math.Sqrt(fanIn), rng);

        protected override void FillBias(Span<double> b, int fanIn, Rng rng) => Uniform(b, fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0, rng);

        private static void Uniform(Span<double> w, double bound, Rng rng)
        {
            for (int i = 0; i < w.Length; i++) w[i] = bound * (2 * rng.NextDouble() - 1);
        }
    }
}
