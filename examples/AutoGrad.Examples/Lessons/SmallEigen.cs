namespace AutoGrad.Examples;

/// <summary>Eigenvalues of the small symmetric matrices the lessons print (Hessians of 2 or 3 parameters).</summary>
/// <remarks>The library's own dense solver is internal; cyclic Jacobi is a dozen lines and accurate to rounding in every
/// eigenvalue relative to the largest, which Lanczos from Hessian-vector products is not when κ is near 1/ε.</remarks>
public static class SmallEigen
{
    /// <summary>The eigenvalues of the symmetric n×n matrix <paramref name="rowMajor"/>, ascending.</summary>
    public static double[] Symmetric(double[] rowMajor)
    {
        int n = (int)Math.Round(Math.Sqrt(rowMajor.Length));
        if (n * n != rowMajor.Length) throw new ArgumentException("SmallEigen: the matrix must be square.", nameof(rowMajor));
        var a = (double[])rowMajor.Clone();
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            }
            if (off <= 1e-34 * diag) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    // The rotation that zeroes a[p, q] (Golub and Van Loan, Algorithm 8.5.1).
                    double tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(tau == 0 ? 1 : tau) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                    double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
        }
        var ev = new double[n];
        for (int i = 0; i < n; i++) ev[i] = a[i * n + i];
        Array.Sort(ev);
        return ev;
    }
}
