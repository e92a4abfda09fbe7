using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace AutoGrad;

/// <summary>
/// Saves and loads tensors in NumPy's formats, so that data moves to and from Python: <c>.npy</c> holds one tensor
/// (<c>np.save</c>/<c>np.load</c>), <c>.npz</c> a zip archive of named <c>.npy</c> entries (<c>np.savez</c>).
/// </summary>
/// <remarks>
/// <para>Files are written as NumPy 1.x writes them: format version 1.0, C order, little-endian <c>'&lt;f8'</c>
/// (float64) or <c>'&lt;f4'</c> (float32), the header padded so the data starts at a multiple of 64 bytes; npz entries are
/// stored (not compressed). Loading also accepts big-endian data, Fortran order (reordered to C order), format versions
/// 2.0 and 3.0 and deflated npz entries; any other element type is refused.</para>
/// <para>Every save writes a temporary file in the target's folder and renames it over the target, so an interrupted
/// save leaves the previous file as it was. Every load checks the whole file (magic, header, the data length against the
/// shape) and throws <see cref="InvalidDataException"/> naming the file and the problem; loaded tensors are fresh and
/// are not recycled by any <see cref="TensorScope"/>.</para>
/// </remarks>
public static class Checkpoint
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>
    /// Test hook: wraps the stream a save writes its temporary file through, so a test can make the write fail midway.
    /// Per thread, so tests running in parallel do not see each other's hook.
    /// </summary>
    [ThreadStatic] internal static Func<Stream, Stream>? WrapWriteStream;

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> as a <c>.npy</c> file (replacing it atomically).</summary>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="IOException">The file cannot be written (the previous file, if any, is left as it was).</exception>
    public static void SaveNpy(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensor);
        AtomicWrite(path, stream => WriteNpy(stream, tensor));
    }

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="stream"/> in the <c>.npy</c> format, from its current position.</summary>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    public static void SaveNpy(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        WriteNpy(stream, tensor);
    }

    /// <summary>Reads the tensor in the <c>.npy</c> file <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid float64/float32 <c>.npy</c> file (the message says why).</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Tensor LoadNpy(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadNpy(stream, "LoadNpy", $"'{path}'", exact: true);
    }

    /// <summary>
    /// Reads one <c>.npy</c> tensor from <paramref name="stream"/>, from its current position, and leaves the stream just
    /// after its data (several arrays may follow one another, as with repeated <c>np.save</c> calls on one file).
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not a valid float64/float32 <c>.npy</c> array (the message says why).</exception>
    public static Tensor LoadNpy(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadNpy(stream, "LoadNpy", "the stream", exact: false);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> as a <c>.npz</c> archive, one stored entry
    /// <c>&lt;key&gt;.npy</c> per tensor, in key order (replacing the file atomically).
    /// </summary>
    /// <exception cref="ArgumentException">A key is empty or holds a character that cannot be part of an entry name.</exception>
    /// <exception cref="IOException">The file cannot be written (the previous file, if any, is left as it was).</exception>
    public static void SaveNpz(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (key, t) in tensors)
        {
            if (string.IsNullOrEmpty(key) || key.Contains('\0') || key.Contains('\\') || key.StartsWith('/') || key.EndsWith('/'))
                throw new ArgumentException($"Checkpoint.SaveNpz: '{path}': the key '{key}' cannot name an npz entry (empty, or a NUL, backslash or leading/trailing slash).", nameof(tensors));
            if (t is null) throw new ArgumentException($"Checkpoint.SaveNpz: '{path}': the tensor for key '{key}' is null.", nameof(tensors));
        }
        AtomicWrite(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var key in tensors.Keys.Order(StringComparer.Ordinal))
            {
                // NoCompression makes a stored entry, as np.savez writes (np.savez_compressed deflates).
                var entry = zip.CreateEntry(key + ".npy", CompressionLevel.NoCompression);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var es = entry.Open();
                WriteNpy(es, tensors[key]);
            }
        });
    }

    /// <summary>
    /// Reads every entry of the <c>.npz</c> archive <paramref name="path"/> (stored or deflated), keyed by its name
    /// without the <c>.npy</c> suffix, as <c>np.load</c> does.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a zip archive, an entry is not a valid float64/float32
    /// <c>.npy</c> array, or two entries have the same name (the message names the file and the entry).</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static IReadOnlyDictionary<string, Tensor> LoadNpz(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Checkpoint.LoadNpz: '{path}' is not a valid npz (zip) archive: {e.Message}", e);
        }
        using (zip)
        {
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // a directory record, no data
                string key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                if (result.ContainsKey(key))
                    throw new InvalidDataException($"Checkpoint.LoadNpz: '{path}' has two entries named '{entry.FullName}'.");
                string where = $"'{path}', entry '{entry.FullName}'";
                try
                {
                    using var es = entry.Open();
                    result[key] = ReadNpy(es, "LoadNpz", where, exact: true);
                }
                catch (InvalidDataException e) when (!e.Message.StartsWith("Checkpoint.", StringComparison.Ordinal))
                {
                    // The zip layer's own errors (a bad CRC, a truncated deflate stream) do not name the file.
                    throw new InvalidDataException($"Checkpoint.LoadNpz: {where}: {e.Message}", e);
                }
            }
            return result;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a new temporary file beside <paramref name="path"/>, flushes it to disk and renames
    /// it over <paramref name="path"/>; on any failure the temporary file is deleted and the target is untouched.
    /// </summary>
    internal static void AtomicWrite(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"Checkpoint: '{path}' names no file.", nameof(path));
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var s = WrapWriteStream?.Invoke(file) ?? file;
                write(s);
                s.Flush();
                // On disk before the rename: otherwise a crash just after it could leave the new name on empty data.
                file.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); }
            catch (IOException) { } // the original exception matters more than a leftover temporary file
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static void WriteNpy(Stream stream, Tensor t)
    {
        string header = Header(t.DType == DType.Float64 ? "<f8" : "<f4", t.Dims);
        var prefix = new byte[10 + header.Length];
        Magic.CopyTo(prefix);
        prefix[6] = 1;
        prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, prefix.AsSpan(10));
        stream.Write(prefix);
        if (t.DType == DType.Float64) WriteData(stream, t.Span<double>());
        else WriteData(stream, t.Span<float>());
    }

    private static void WriteData<T>(Stream stream, ReadOnlySpan<T> data) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        SwapBytes(bytes, Marshal.SizeOf<T>());
        stream.Write(bytes);
    }

    /// <summary>
    /// The header dict as NumPy 1.x's <c>_write_array_header</c> writes it: keys sorted, a trailing ", }", then spaces and
    /// a newline up to the next multiple of 64 bytes (a full 64 spaces when it would already end on one, as NumPy does).
    /// </summary>
    internal static string Header(string descr, int[] dims)
    {
        var shape = dims.Length switch
        {
            0 => "()",
            1 => string.Create(CultureInfo.InvariantCulture, $"({dims[0]},)"),
            _ => "(" + string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int pad = 64 - (10 + dict.Length + 1) % 64;
        return dict + new string(' ', pad) + "\n";
    }

    private static Tensor ReadNpy(Stream stream, string op, string where, bool exact)
    {
        string Fail(string what) => $"Checkpoint.{op}: {where}: {what}";

        Span<byte> pre = stackalloc byte[12];
        int got = ReadFully(stream, pre[..8]);
        if (got < 8) throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture, $"truncated: {got} bytes, shorter than the 8-byte npy preamble.")));
        if (!pre[..6].SequenceEqual(Magic))
            throw new InvalidDataException(Fail($"not an npy file: it does not start with the magic \\x93NUMPY (it starts with {Convert.ToHexString(pre[..6])})."));
        byte major = pre[6], minor = pre[7];
        int headerLength;
        if (major == 1 && minor == 0)
        {
            if (ReadFully(stream, pre.Slice(8, 2)) < 2) throw new InvalidDataException(Fail("truncated inside the header length."));
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
        }
        else if ((major == 2 || major == 3) && minor == 0)
        {
            if (ReadFully(stream, pre.Slice(8, 4)) < 4) throw new InvalidDataException(Fail("truncated inside the header length."));
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
            if (n > 1 << 24) throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture, $"the header length {n} is implausibly large.")));
            headerLength = (int)n;
        }
        else throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture, $"unsupported npy format version {major}.{minor} (1.0, 2.0 and 3.0 are read).")));

        var headerBytes = new byte[headerLength];
        int hgot = ReadFully(stream, headerBytes);
        if (hgot < headerLength)
            throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture, $"truncated inside the header: {hgot} of {headerLength} bytes.")));
        string header;
        try
        {
            header = (major == 3 ? new UTF8Encoding(false, true) : (Encoding)Encoding.Latin1).GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException(Fail("the header is not valid UTF-8."));
        }
        var (descr, fortran, dims) = HeaderParser.Parse(header, Fail);

        bool bigEndian;
        DType dtype;
        switch (descr)
        {
            case "<f8": case "=f8": bigEndian = false; dtype = DType.Float64; break;
            case ">f8": bigEndian = true; dtype = DType.Float64; break;
            case "<f4": case "=f4": bigEndian = false; dtype = DType.Float32; break;
            case ">f4": bigEndian = true; dtype = DType.Float32; break;
            default:
                throw new InvalidDataException(Fail($"unsupported element type descr '{descr}'; only float64 ('<f8', '>f8') and float32 ('<f4', '>f4') are read."));
        }

        long count = 1;
        foreach (int d in dims)
        {
            count *= d;
            if (count > Array.MaxLength)
                throw new InvalidDataException(Fail($"the shape {Shape.Format(dims)} has more elements than an array can hold."));
        }
        int size = dtype.ElementSize();
        long byteCount = count * size;
        if (stream.CanSeek)
        {
            long left = stream.Length - stream.Position;
            if (left < byteCount || (exact && left > byteCount))
                throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture,
                    $"the shape {Shape.Format(dims)} of {descr} needs {byteCount} data bytes but {left} follow the header{(left < byteCount ? " (truncated)" : "")}.")));
        }

        var t = Compute.Lasting(dims, dtype);
        var bytes = t.DType == DType.Float64 ? MemoryMarshal.AsBytes(t.Span<double>()) : MemoryMarshal.AsBytes(t.Span<float>());
        int read = ReadFully(stream, bytes);
        if (read < byteCount)
            throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture,
                $"truncated: the shape {Shape.Format(dims)} of {descr} needs {byteCount} data bytes but only {read} follow the header.")));
        if (exact && !stream.CanSeek && stream.ReadByte() >= 0)
            throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture,
                $"the shape {Shape.Format(dims)} of {descr} needs {byteCount} data bytes but more follow the header.")));
        if (bigEndian == BitConverter.IsLittleEndian) SwapBytes(bytes, size);
        if (fortran && dims.Length > 1)
        {
            if (dtype == DType.Float64) FortranToC(t.Span<double>(), dims);
            else FortranToC(t.Span<float>(), dims);
        }
        return t;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static void SwapBytes(Span<byte> bytes, int size)
    {
        if (size == 8) BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(bytes), MemoryMarshal.Cast<byte, ulong>(bytes));
        else BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(bytes), MemoryMarshal.Cast<byte, uint>(bytes));
    }

    /// <summary>Reorders column-major data in place to row-major (through a copy).</summary>
    private static void FortranToC<T>(Span<T> data, int[] dims) where T : unmanaged
    {
        if (data.Length == 0) return;
        var source = data.ToArray();
        int rank = dims.Length;
        // Column-major strides: the first index varies fastest.
        var stride = new long[rank];
        stride[0] = 1;
        for (int k = 1; k < rank; k++) stride[k] = stride[k - 1] * dims[k - 1];
        var index = new int[rank];
        long offset = 0;
        for (int c = 0; c < data.Length; c++)
        {
            data[c] = source[offset];
            // Advance the row-major odometer (last index fastest) and keep the column-major offset in step.
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < dims[k]) { offset += stride[k]; break; }
                offset -= stride[k] * (dims[k] - 1);
                index[k] = 0;
            }
        }
    }
}
