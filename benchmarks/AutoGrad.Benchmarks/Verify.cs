namespace AutoGrad.Benchmarks;

/// <summary>
/// The comparison every workload's setup makes between what it benchmarks and an independent computation, so that a
/// fast wrong answer cannot pass for a result: it stops the run with the first element that differs.
/// </summary>
internal static class Verify
{
    /// <summary>
    /// Fails unless |actual[i] − expected[i]| ≤ abs + rel·|expected[i]| for every i (and the lengths agree).
    /// </summary>
    public static void Close(string what, double[] expected, double[] actual, double rel, double abs = 0)
    {
        if (expected.Length != actual.Length)
            throw new InvalidOperationException($"{what}: {actual.Length} elements, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= abs + rel * Math.Abs(expected[i])))
                throw new InvalidOperationException($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R}.");
    }

    /// <summary>Fails unless one value is within abs + rel·|expected| of the expected one.</summary>
    public static void Close(string what, double expected, double actual, double rel, double abs = 0) =>
        Close(what, [expected], [actual], rel, abs);
}
