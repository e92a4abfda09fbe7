using System.Diagnostics;
using Xunit.Abstractions;

namespace AutoGrad.Tests.Serialization;

/// <summary>Round trips through the real NumPy; returns early (passing, with a message) where python3 or numpy is absent.</summary>
public class NumPyInteropTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    private static (int Code, string Output) Run(string script, string dir)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }

    [Fact]
    public void Tensors_round_trip_through_numpy_bit_identically()
    {
        using var dir = new TempDir();
        if (!File.Exists(Python) || Run("import numpy", dir.Path).Code != 0)
        {
            output.WriteLine($"skipped: {Python} with numpy is not available here.");
            return;
        }
        var rng = new Random(5);
        var tensors = new Dictionary<string, Tensor>
        {
            ["f8"] = CheckpointTests.Random([3, 4], DType.Float64, rng),
            ["f4"] = CheckpointTests.Random([2, 3, 2], DType.Float32, rng),
            ["scalar"] = CheckpointTests.Random([], DType.Float64, rng),
            ["empty"] = CheckpointTests.Random([0, 3], DType.Float32, rng),
            ["vector"] = CheckpointTests.Random([5], DType.Float64, rng),
        };
        Checkpoint.SaveNpz(dir.File("in.npz"), tensors);
        foreach (var (k, t) in tensors) Checkpoint.SaveNpy(dir.File(k + ".npy"), t);

        // NumPy reads our files, checks that np.save writes the same bytes for them, and writes them back as
        // Fortran-ordered, big-endian and compressed variants.
        const string script = """
            import numpy as np, io
            z = np.load('in.npz')
            out = {}
            for k in z.files:
                a = z[k]
                b = io.BytesIO(); np.save(b, a)
                assert b.getvalue() == open(k + '.npy', 'rb').read(), 'np.save bytes differ for ' + k
                assert np.load(k + '.npy').tobytes() == a.tobytes(), k
                out[k] = a
                out[k + '_fortran'] = np.asfortranarray(a) if a.ndim else a  # asfortranarray makes 0-d arrays 1-d
                out[k + '_big'] = a.astype(a.dtype.newbyteorder('>'))
            np.savez_compressed('out.npz', **out)
            np.save('fortran.npy', np.asfortranarray(z['f8']))
            print('ok', sorted(z.files))
            """;
        var (code, text) = Run(script, dir.Path);
        output.WriteLine(text);
        Assert.True(code == 0, text);

        var back = Checkpoint.LoadNpz(dir.File("out.npz"));
        foreach (var (k, t) in tensors)
        {
            CheckpointTests.SameBits(t, back[k]);
            CheckpointTests.SameBits(t, back[k + "_fortran"]);
            CheckpointTests.SameBits(t, back[k + "_big"]);
        }
        CheckpointTests.SameBits(tensors["f8"], Checkpoint.LoadNpy(dir.File("fortran.npy")));
    }
}
