using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace AutoGrad.Tests.Serialization;

/// <summary>A temporary folder per test, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("autograd-ckpt-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A stream that fails after a given number of bytes, as a full disk or a killed process would.</summary>
public sealed class FailingStream(Stream inner, long failAfter) : Stream
{
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        long room = failAfter - _written;
        if (buffer.Length > room)
        {
            inner.Write(buffer[..(int)Math.Max(0, room)]);
            throw new IOException("simulated failure: the disk is full");
        }
        inner.Write(buffer);
        _written += buffer.Length;
    }
}

public class CheckpointTests
{
    internal static byte[] Bits(Tensor t) =>
        t.DType == DType.Float64 ? MemoryMarshal.AsBytes(t.Span<double>()).ToArray() : MemoryMarshal.AsBytes(t.Span<float>()).ToArray();

    internal static void SameBits(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Dims, actual.Dims);
        Assert.Equal(Bits(expected), Bits(actual));
    }

    private static readonly double[] Specials =
    [
        double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0123), double.PositiveInfinity, double.NegativeInfinity,
        -0.0, 0.0, double.Epsilon, -double.Epsilon, 2.2e-310, double.MaxValue, double.MinValue,
    ];

    private static readonly float[] SpecialsF =
    [
        float.NaN, BitConverter.Int32BitsToSingle(0x7F80_0123), float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, 1.1e-40f, float.MaxValue,
    ];

    internal static Tensor Random(int[] dims, DType dtype, Random rng)
    {
        var t = Compute.Lasting(dims, dtype);
        if (dtype == DType.Float64)
        {
            var s = t.Span<double>();
            for (int i = 0; i < s.Length; i++) s[i] = rng.Next(4) == 0 ? Specials[rng.Next(Specials.Length)] : rng.NextDouble() * 2e3 - 1e3;
        }
        else
        {
            var s = t.Span<float>();
            for (int i = 0; i < s.Length; i++) s[i] = rng.Next(4) == 0 ? SpecialsF[rng.Next(SpecialsF.Length)] : (float)(rng.NextDouble() * 2e3 - 1e3);
        }
        return t;
    }

    /// <summary>np.arange(6, dtype='&lt;f8').reshape(2, 3) as NumPy 1.x's np.save writes it, byte for byte.</summary>
    private static byte[] GoldenArange6()
    {
        var b = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        b.AddRange(Encoding.ASCII.GetBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" + new string(' ', 58) + "\n"));
        for (int i = 0; i < 6; i++)
        {
            var x = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(x, i);
            b.AddRange(x);
        }
        Assert.Equal(128 + 48, b.Count);
        return b.ToArray();
    }

    /// <summary>An npy file with the given header dict (padded as NumPy pads) and raw data.</summary>
    internal static byte[] Npy(string dict, byte[] data, byte major = 1)
    {
        int pre = major == 1 ? 10 : 12;
        int pad = 64 - (pre + dict.Length + 1) % 64;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', pad) + "\n");
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0]);
        if (major == 1) { var l = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(l, (ushort)header.Length); ms.Write(l); }
        else { var l = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(l, (uint)header.Length); ms.Write(l); }
        ms.Write(header);
        ms.Write(data);
        return ms.ToArray();
    }

    private static byte[] Doubles(bool bigEndian, params double[] xs)
    {
        var b = new byte[xs.Length * 8];
        for (int i = 0; i < xs.Length; i++)
            if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(b.AsSpan(i * 8), xs[i]);
            else BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), xs[i]);
        return b;
    }

    [Fact]
    public void Golden_arange6_is_written_byte_for_byte_as_numpy_writes_it_and_loads_back()
    {
        var golden = GoldenArange6();
        var t = Tensor.FromArray([0.0, 1, 2, 3, 4, 5], 2, 3);
        var ms = new MemoryStream();
        Checkpoint.SaveNpy(ms, t);
        Assert.Equal(golden, ms.ToArray());

        using var dir = new TempDir();
        Checkpoint.SaveNpy(dir.File("a.npy"), t);
        Assert.Equal(golden, File.ReadAllBytes(dir.File("a.npy")));

        File.WriteAllBytes(dir.File("golden.npy"), golden);
        var loaded = Checkpoint.LoadNpy(dir.File("golden.npy"));
        Assert.Equal([2, 3], loaded.Shape);
        Assert.Equal(DType.Float64, loaded.DType);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], loaded.ToArray());
    }

    [Fact]
    public void Headers_are_padded_to_64_bytes_with_numpys_shape_syntax()
    {
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", Checkpoint.Header("<f4", []));
        Assert.StartsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", Checkpoint.Header("<f8", [3]));
        Assert.StartsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", Checkpoint.Header("<f8", [0, 3]));
        foreach (var dims in new int[][] { [], [1], [12345, 2, 3, 4, 5, 6, 7], [0] })
        {
            var h = Checkpoint.Header("<f8", dims);
            Assert.Equal(0, (10 + h.Length) % 64);
            Assert.EndsWith("\n", h);
        }
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void Random_tensors_round_trip_bit_identically_through_npy_and_npz(DType dtype)
    {
        var rng = new Random(17 + (int)dtype);
        using var dir = new TempDir();
        List<int[]> shapes = [[], [0], [0, 3], [3, 0, 2], [1], [7], [2, 3]];
        for (int k = 0; k < 12; k++) shapes.Add(Enumerable.Range(0, rng.Next(1, 5)).Select(_ => rng.Next(0, 5)).ToArray());
        var all = new Dictionary<string, Tensor>();
        for (int k = 0; k < shapes.Count; k++)
        {
            var t = Random(shapes[k], dtype, rng);
            all[$"t{k}"] = t;
            string path = dir.File($"t{k}.npy");
            Checkpoint.SaveNpy(path, t);
            SameBits(t, Checkpoint.LoadNpy(path));
            var ms = new MemoryStream();
            Checkpoint.SaveNpy(ms, t);
            Assert.Equal(0, (ms.ToArray().Length - Bits(t).Length) % 64);
            ms.Position = 0;
            SameBits(t, Checkpoint.LoadNpy(ms));
            Assert.Equal(ms.Length, ms.Position);
        }
        Checkpoint.SaveNpz(dir.File("all.npz"), all);
        var back = Checkpoint.LoadNpz(dir.File("all.npz"));
        Assert.Equal(all.Keys.Order(), back.Keys.Order());
        foreach (var (key, t) in all) SameBits(t, back[key]);
    }

    [Fact]
    public void Big_endian_and_fortran_order_load_in_c_order()
    {
        // [[0, 1, 2], [3, 4, 5]] in column-major order is 0, 3, 1, 4, 2, 5.
        var f8 = Npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", Doubles(true, 0, 3, 1, 4, 2, 5));
        var t = Checkpoint.LoadNpy(new MemoryStream(f8));
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], t.ToArray());

        // Rank 3, shape (2, 3, 2): element (i, j, k) = 100i + 10j + k, stored with i fastest.
        var values = new List<double>();
        for (int k = 0; k < 2; k++) for (int j = 0; j < 3; j++) for (int i = 0; i < 2; i++) values.Add(100 * i + 10 * j + k);
        var f3 = Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 2), }", Doubles(false, values.ToArray()));
        var c = Checkpoint.LoadNpy(new MemoryStream(f3)).ToArray();
        var expected = new List<double>();
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++) expected.Add(100 * i + 10 * j + k);
        Assert.Equal(expected, c);

        var be4 = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(be4, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(be4.AsSpan(4), -2.25f);
        var f4 = Checkpoint.LoadNpy(new MemoryStream(Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be4)));
        Assert.Equal(DType.Float32, f4.DType);
        Assert.Equal([1.5, -2.25], f4.ToArray());

        // Format version 2.0 (a 4-byte header length), double quotes and no trailing comma.
        var v2 = Checkpoint.LoadNpy(new MemoryStream(Npy("{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<f8\"}", Doubles(false, 7), major: 2)));
        Assert.Equal([7.0], v2.ToArray());
    }

    public static TheoryData<string, string> CorruptNpy => new()
    {
        { "magic", "not an npy file" },
        { "preamble", "truncated" },
        { "header", "truncated inside the header" },
        { "data", "truncated" },
        { "extra", "needs 48 data bytes but" },
        { "version", "unsupported npy format version 9.0" },
        { "dtype", "'<i8'" },
        { "garbage", "bad header dict" },
        { "unknown-key", "unexpected key 'colour'" },
        { "missing-key", "'shape' is missing" },
        { "negative", "non-negative integer" },
        { "one-tuple", "trailing comma" },
        { "trailing", "unexpected text after the dict" },
    };

    private static byte[] Corrupt(string kind)
    {
        var golden = GoldenArange6();
        string Dict(string shape) => $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}";
        return kind switch
        {
            "magic" => [.. "\x89PNG\r\n\x1a\n"u8, .. golden[8..]],
            "preamble" => golden[..5],
            "header" => golden[..60],
            "data" => golden[..^5],
            "extra" => [.. golden, .. new byte[8]],
            "version" => [.. golden[..6], 9, 0, .. golden[8..]],
            "dtype" => Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", new byte[48]),
            "garbage" => Npy("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 3), }", new byte[48]),
            "unknown-key" => Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'colour': 'red', }", new byte[48]),
            "missing-key" => Npy("{'descr': '<f8', 'fortran_order': False, }", new byte[48]),
            "negative" => Npy(Dict("(-2, 3)"), new byte[48]),
            "one-tuple" => Npy(Dict("(6)"), new byte[48]),
            "trailing" => Npy(Dict("(2, 3)") + "; import os", new byte[48]),
            _ => throw new ArgumentException(kind),
        };
    }

    [Theory]
    [MemberData(nameof(CorruptNpy))]
    public void Corrupt_npy_files_are_refused_naming_the_file_and_the_problem(string kind, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File($"{kind}.npy");
        File.WriteAllBytes(path, Corrupt(kind));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadNpy(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("LoadNpy", e.Message);
        Assert.Contains(expected, e.Message);

        // The same inside an npz archive, where the entry is named too.
        string npz = dir.File($"{kind}.npz");
        using (var zip = ZipFile.Open(npz, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("w.npy").Open();
            s.Write(Corrupt(kind));
        }
        var z = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadNpz(npz));
        Assert.Contains(npz, z.Message);
        Assert.Contains("entry 'w.npy'", z.Message);
        Assert.Contains(expected, z.Message);
    }

    [Fact]
    public void Npz_entries_are_stored_and_deflated_archives_load()
    {
        using var dir = new TempDir();
        var a = Tensor.FromArray([1.0, 2, 3], 3);
        var b = Tensor.FromArray([4f, 5f], 2, 1);
        Checkpoint.SaveNpz(dir.File("s.npz"), new Dictionary<string, Tensor> { ["a"] = a, ["sub/b"] = b });
        using (var zip = ZipFile.OpenRead(dir.File("s.npz")))
        {
            Assert.Equal(["a.npy", "sub/b.npy"], zip.Entries.Select(e => e.FullName).Order());
            // Stored: the compressed size equals the size (method 0, as np.savez writes).
            Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        }

        string deflated = dir.File("d.npz");
        using (var zip = ZipFile.Open(deflated, ZipArchiveMode.Create))
        {
            foreach (var (key, t) in new[] { ("a", a), ("b", b) })
            {
                using var s = zip.CreateEntry(key + ".npy", CompressionLevel.Optimal).Open();
                Checkpoint.SaveNpy(s, t);
            }
        }
        var loaded = Checkpoint.LoadNpz(deflated);
        SameBits(a, loaded["a"]);
        SameBits(b, loaded["b"]);
    }

    [Fact]
    public void Npz_that_is_not_a_zip_or_is_truncated_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        string good = dir.File("good.npz");
        Checkpoint.SaveNpz(good, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray([1.0, 2], 2) });
        var bytes = File.ReadAllBytes(good);
        foreach (var (name, data) in new[] { ("short.npz", bytes[..(bytes.Length / 2)]), ("npy.npz", GoldenArange6()), ("empty.npz", Array.Empty<byte>()) })
        {
            string path = dir.File(name);
            File.WriteAllBytes(path, data);
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadNpz(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("not a valid npz", e.Message);
        }
    }

    [Fact]
    public void Save_refuses_keys_that_cannot_name_an_entry()
    {
        using var dir = new TempDir();
        var t = Tensor.FromArray([1.0], 1);
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveNpz(dir.File("x.npz"), new Dictionary<string, Tensor> { [""] = t }));
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveNpz(dir.File("x.npz"), new Dictionary<string, Tensor> { ["a\\b"] = t }));
        Assert.False(File.Exists(dir.File("x.npz")));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("npy", 5)]
    [InlineData("npy", 200)]
    [InlineData("npz", 100)]
    [InlineData("npz", 700)]
    public void An_interrupted_save_keeps_the_previous_file_and_leaves_no_temporary_file(string format, long failAfter)
    {
        using var dir = new TempDir();
        string path = dir.File("ckpt." + format);
        var old = Tensor.FromArray([1.0, 2, 3], 3);
        var next = Random([8, 8], DType.Float64, new Random(3));
        void Save(Tensor t)
        {
            if (format == "npy") Checkpoint.SaveNpy(path, t);
            else Checkpoint.SaveNpz(path, new Dictionary<string, Tensor> { ["w"] = t });
        }
        Save(old);
        var before = File.ReadAllBytes(path);

        Checkpoint.WrapWriteStream = s => new FailingStream(s, failAfter);
        try
        {
            var e = Assert.ThrowsAny<IOException>(() => Save(next));
            Assert.Contains("simulated failure", e.Message);
        }
        finally
        {
            Checkpoint.WrapWriteStream = null;
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        if (format == "npy") SameBits(old, Checkpoint.LoadNpy(path));
        else SameBits(old, Checkpoint.LoadNpz(path)["w"]);

        // Without the failure the same save replaces the file, again leaving nothing else behind.
        Save(next);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        if (format == "npy") SameBits(next, Checkpoint.LoadNpy(path));
        else SameBits(next, Checkpoint.LoadNpz(path)["w"]);
    }
}
