using System.Numerics;

namespace AutoGrad.Kernels;

/// <summary>
/// Loops over n-d index spaces whose innermost dimension is handed to span kernels: broadcasting
/// binary operations, strided copies (permute, expand, slice) and axis reductions.
/// Shapes and strides arrive as arrays of equal rank; nothing is allocated beyond stack scratch.
/// </summary>
internal static class Strided
{
    /// <summary>
    /// Merges adjacent dimensions that are contiguous in every operand and drops size-1 dimensions,
    /// so that the innermost loop is as long as possible. Works in place; returns the new rank.
    /// </summary>
    public static int Coalesce(Span<int> shape, Span<int> s0, Span<int> s1, Span<int> s2)
    {
        int n = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            if (n > 0 && s0[n - 1] == s0[i] * shape[i] && s1[n - 1] == s1[i] * shape[i] && s2[n - 1] == s2[i] * shape[i])
            {
                shape[n - 1] *= shape[i];
                s0[n - 1] = s0[i]; s1[n - 1] = s1[i]; s2[n - 1] = s2[i];
                continue;
            }
            shape[n] = shape[i]; s0[n] = s0[i]; s1[n] = s1[i]; s2[n] = s2[i];
            n++;
        }
        return n;
    }

    /// <summary>d = K(x, y) where x and y are read through broadcast strides and d is contiguous of <paramref name="shape"/>.</summary>
    public static void Binary<K, T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xStrides, ReadOnlySpan<T> y, ReadOnlySpan<int> yStrides,
        Span<T> d, ReadOnlySpan<int> shape)
        where K : IBinaryKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (d.Length == 0) return;
        int r = shape.Length;
        Span<int> sh = stackalloc int[r], sx = stackalloc int[r], sy = stackalloc int[r], sd = stackalloc int[r];
        shape.CopyTo(sh); xStrides.CopyTo(sx); yStrides.CopyTo(sy);
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) { sd[i] = acc; acc *= shape[i]; }
        r = Coalesce(sh, sx, sy, sd);
        if (r == 0) { K.VV(x[..1], y[..1], d[..1]); return; }
        int len = sh[r - 1], ix = sx[r - 1], iy = sy[r - 1];
        Span<int> idx = stackalloc int[r];
        int ox = 0, oy = 0, od = 0;
        while (true)
        {
            var dd = d.Slice(od, len);
            if (ix == 1 && iy == 1) K.VV(x.Slice(ox, len), y.Slice(oy, len), dd);
            else if (ix == 0 && iy == 1) K.SV(x[ox], y.Slice(oy, len), dd);
            else if (ix == 1 && iy == 0) K.VS(x.Slice(ox, len), y[oy], dd);
            else if (ix == 0 && iy == 0) { K.VS(x.Slice(ox, 1), y[oy], dd[..1]); dd.Fill(dd[0]); }
            else
            {
                for (int j = 0; j < len; j++) K.VS(x.Slice(ox + j * ix, 1), y[oy + j * iy], dd.Slice(j, 1));
            }
            od += len;
            // Odometer over the outer dimensions.
            int k = r - 2;
            for (; k >= 0; k--)
            {
                idx[k]++; ox += sx[k]; oy += sy[k];
                if (idx[k] < sh[k]) break;
                ox -= sx[k] * sh[k]; oy -= sy[k] * sh[k]; idx[k] = 0;
            }
            if (k < 0) return;
        }
    }

    /// <summary>Copies <paramref name="src"/> read at <paramref name="offset"/> through <paramref name="strides"/> into contiguous <paramref name="dst"/> of <paramref name="shape"/>.</summary>
    public static void Copy<T>(ReadOnlySpan<T> src, int offset, ReadOnlySpan<int> strides, Span<T> dst, ReadOnlySpan<int> shape) where T : unmanaged
    {
        if (dst.Length == 0) return;
        int r = shape.Length;
        Span<int> sh = stackalloc int[r], ss = stackalloc int[r], sd = stackalloc int[r], none = stackalloc int[r];
        shape.CopyTo(sh); strides.CopyTo(ss);
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) { sd[i] = acc; acc *= shape[i]; }
        none.Clear();
        r = Coalesce(sh, ss, sd, none);
        if (r == 0) { dst[0] = src[offset]; return; }
        int len = sh[r - 1], inner = ss[r - 1];
        Span<int> idx = stackalloc int[r];
        int os = offset, od = 0;
        while (true)
        {
            var dd = dst.Slice(od, len);
            if (inner == 1) src.Slice(os, len).CopyTo(dd);
            else if (inner == 0) dd.Fill(src[os]);
            else for (int j = 0; j < len; j++) dd[j] = src[os + j * inner];
            od += len;
            int k = r - 2;
            for (; k >= 0; k--)
            {
                idx[k]++; os += ss[k];
                if (idx[k] < sh[k]) break;
                os -= ss[k] * sh[k]; idx[k] = 0;
            }
            if (k < 0) return;
        }
    }

    /// <summary>
    /// Adds contiguous <paramref name="src"/> of <paramref name="shape"/> into <paramref name="dst"/> written at
    /// <paramref name="offset"/> through <paramref name="strides"/> (the adjoint of <see cref="Copy"/>; strides may repeat targets).
    /// </summary>
    public static void AddInto<T>(ReadOnlySpan<T> src, Span<T> dst, int offset, ReadOnlySpan<int> strides, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (src.Length == 0) return;
        int r = shape.Length;
        Span<int> idx = stackalloc int[Math.Max(r, 1)];
        idx.Clear();
        int od = offset;
        for (int i = 0; i < src.Length; i++)
        {
            dst[od] += src[i];
            int k = r - 1;
            for (; k >= 0; k--)
            {
                idx[k]++; od += strides[k];
                if (idx[k] < shape[k]) break;
                od -= strides[k] * shape[k]; idx[k] = 0;
            }
        }
    }

    /// <summary>
    /// Folds contiguous <paramref name="x"/> of <paramref name="shape"/> along the sorted <paramref name="axes"/> into
    /// <paramref name="dst"/> (the reduced shape, contiguous), starting from the kernel's identity.
    /// </summary>
    public static void Reduce<K, T>(ReadOnlySpan<T> x, ReadOnlySpan<int> shape, ReadOnlySpan<int> axes, Span<T> dst)
        where K : IReduceKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        dst.Fill(K.Identity<T>());
        if (x.Length == 0) return;
        int r = shape.Length;
        Span<int> sh = stackalloc int[r], sx = stackalloc int[r], so = stackalloc int[r], none = stackalloc int[r];
        shape.CopyTo(sh);
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) { sx[i] = acc; acc *= shape[i]; }
        acc = 1;
        for (int i = r - 1; i >= 0; i--)
        {
            if (axes.Contains(i)) so[i] = 0;
            else { so[i] = acc; acc *= shape[i]; }
        }
        none.Clear();
        r = Coalesce(sh, sx, so, none);
        if (r == 0) { dst[0] = K.Fold(dst[0], x[..1]); return; }
        int len = sh[r - 1], inner = so[r - 1];
        Span<int> idx = stackalloc int[r];
        int ox = 0, oo = 0;
        while (true)
        {
            var row = x.Slice(ox, len);
            if (inner == 0) dst[oo] = K.Fold(dst[oo], row);
            else K.FoldInto(dst.Slice(oo, len), row);
            ox += len;
            int k = r - 2;
            for (; k >= 0; k--)
            {
                idx[k]++; oo += so[k];
                if (idx[k] < sh[k]) break;
                oo -= so[k] * sh[k]; idx[k] = 0;
            }
            if (k < 0) return;
        }
    }
}
