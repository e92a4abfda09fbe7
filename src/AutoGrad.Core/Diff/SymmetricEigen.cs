namespace AutoGrad;

/// <summary>
/// Small dense symmetric eigenproblems in float64, for <see cref="Curvature"/> and its tests: the implicit QL method
/// for a symmetric tridiagonal matrix (Lanczos' T) and the cyclic Jacobi method for a full one (a dense Hessian).
/// Two independent algorithms, so that each can check the other. Eigenvalues come out ascending.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// The eigenvalues (ascending) of the symmetric tridiagonal matrix with diagonal <paramref name="diag"/> and
    /// off-diagonal <paramref name="off"/> (off[i] couples i and i + 1; length n − 1), by the implicit QL method with
    /// Wilkinson's shift: EISPACK's tql2 (Bowdler, Martin, Reinsch and Wilkinson, Numer. Math. 11, 1968), as in JAMA.
    /// </summary>
    /// <param name="diag">The diagonal, length n ≥ 1.</param>
    /// <param name="off">The off-diagonal, length n − 1.</param>
    /// <param name="z">Null, or a <paramref name="rows"/>×n row-major matrix Z replaced by Z·S, where S's columns are
    /// the eigenvectors in the order of the eigenvalues: pass the identity for the eigenvectors, or the unit row eₙᵀ
    /// for their last components alone (what Lanczos' residual estimates need, at O(n²) instead of O(n³)).</param>
    /// <param name="rows">The number of rows of <paramref name="z"/>.</param>
    /// <exception cref="ArithmeticException">The input is not finite, so the iteration cannot converge.</exception>
    public static double[] Tridiagonal(ReadOnlySpan<double> diag, ReadOnlySpan<double> off, double[]? z = null, int rows = 0)
    {
        int n = diag.Length;
        var d = diag.ToArray();
        var e = new double[n];
        off[..(n - 1)].CopyTo(e);
        double f = 0, tst1 = 0, eps = Math.ScaleB(1.0, -52);
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            // e[n − 1] is 0, so the search ends by n − 1 even when a NaN makes every comparison false.
            while (m < n - 1 && !(Math.Abs(e[m]) <= eps * tst1)) m++;
            int iterations = 0;
            while (m > l)
            {
                if (++iterations > 60 || !double.IsFinite(tst1))
                    throw new ArithmeticException(FormattableString.Invariant($"SymmetricEigen: the QL iteration did not converge for eigenvalue {l} of a {n}×{n} tridiagonal matrix (non-finite entries?)."));
                // The shift: the eigenvalue of the leading 2×2 block nearer d[l].
                double g = d[l];
                double p = (d[l + 1] - g) / (2.0 * e[l]);
                double r = Math.CopySign(Hypot(p, 1.0), p);
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                double dl1 = d[l + 1];
                double h = g - d[l];
                for (int i = l + 2; i < n; i++) d[i] -= h;
                f += h;
                // The implicit QL sweep from m up to l, one plane rotation per step.
                p = d[m];
                double c = 1, c2 = 1, c3 = 1, el1 = e[l + 1], s = 0, s2 = 0;
                for (int i = m - 1; i >= l; i--)
                {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = Hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    if (z is not null)
                        for (int k = 0; k < rows; k++)
                        {
                            int row = k * n;
                            h = z[row + i + 1];
                            z[row + i + 1] = s * z[row + i] + c * h;
                            z[row + i] = c * z[row + i] - s * h;
                        }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if (Math.Abs(e[l]) <= eps * tst1) break;
            }
            d[l] += f;
            e[l] = 0;
        }
        SortAscending(d, z, rows);
        return d;
    }

    /// <summary>
    /// The eigenvalues (ascending) and eigenvectors (the columns of the second result, in the same order) of a dense
    /// symmetric matrix, by the cyclic Jacobi method (Golub and Van Loan, Matrix Computations, 4th ed., §8.5): sweeps of
    /// plane rotations, each zeroing one off-diagonal pair, until the off-diagonal part is below 2⁻⁵² of the Frobenius norm.
    /// Convergence is quadratic; each sweep costs O(n³). The matrix is assumed symmetric (not checked).
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    /// <exception cref="ArithmeticException">The matrix has non-finite entries.</exception>
    public static (double[] Values, double[,] Vectors) Jacobi(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n)
            throw new ArgumentException(FormattableString.Invariant($"SymmetricEigen: the matrix is {n}×{matrix.GetLength(1)}, not square."));
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        double frob = 0;
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
            for (int j = 0; j < n; j++) frob += a[i, j] * a[i, j];
        }
        if (!double.IsFinite(frob))
            throw new ArithmeticException("SymmetricEigen: the matrix has non-finite entries.");
        double eps = Math.ScaleB(1.0, -52);
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double offNorm = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) offNorm += 2 * a[p, q] * a[p, q];
            if (offNorm <= eps * eps * frob) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    // Golub and Van Loan's sym.schur2: the smaller rotation angle, |θ| ≤ π/4.
                    double tau = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = (tau >= 0 ? 1 : -1) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                    double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    a[p, q] = a[q, p] = 0;
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[n];
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            values[i] = a[i, i];
            for (int j = 0; j < n; j++) flat[i * n + j] = v[i, j];
        }
        SortAscending(values, flat, n);
        var vectors = new double[n, n];
        Buffer.BlockCopy(flat, 0, vectors, 0, flat.Length * sizeof(double));
        return (values, vectors);
    }

    /// <summary>√(a² + b²), through <see cref="double.Hypot(double, double)"/>'s scaling only when the squares could over- or underflow (it is several times slower).</summary>
    private static double Hypot(double a, double b)
    {
        double s = a * a + b * b;
        return s > 1e-290 && s < 1e290 ? Math.Sqrt(s) : double.Hypot(a, b);
    }

    /// <summary>Sorts d ascending and permutes the columns of the rows×n matrix z alike (selection sort: n is small).</summary>
    private static void SortAscending(double[] d, double[]? z, int rows)
    {
        int n = d.Length;
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            for (int j = i + 1; j < n; j++)
                if (d[j] < d[k]) k = j;
            if (k == i) continue;
            (d[i], d[k]) = (d[k], d[i]);
            if (z is not null)
                for (int r = 0; r < rows; r++)
                    (z[r * n + i], z[r * n + k]) = (z[r * n + k], z[r * n + i]);
        }
    }
}
