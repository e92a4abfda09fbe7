using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AutoGrad.Tests.Packaging;

/// <summary>
/// Packs AutoGrad.Core and AutoGrad.Optim from a copy of the sources (so the test run's own build outputs are never
/// touched) into a temporary local feed, once for the whole class (docs/packaging.md).
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public string Root { get; }
    public string Feed { get; }
    /// <summary>A second feed, packed at the same time from a second copy in another folder (determinism).</summary>
    public string SecondFeed { get; }
    public string PackLog { get; }

    public PackedFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "autograd-pack-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        SecondFeed = Path.Combine(Root, "feed2");
        var repo = PackageTests.RepositoryRoot();
        // Two copies in different folders, packed concurrently as CI builds (paths mapped to /_/): their DLLs must be
        // byte-identical. Running both at once costs little more than one pack.
        var packs = new[] { ("repo", Feed), ("repo2", SecondFeed) }.Select(t => Task.Run(() =>
        {
            var copy = Path.Combine(Root, t.Item1);
            CopySources(repo, copy);
            return PackageTests.Dotnet(copy, TimeSpan.FromSeconds(240), new Dictionary<string, string> { ["CI"] = "true" },
                "pack", "pack.slnx", "-c", "Release", "-o", t.Item2, "-nodeReuse:false");
        })).ToArray();
        var results = packs.Select(p => p.GetAwaiter().GetResult()).ToArray();
        PackLog = string.Join("\n", results.Select(r => r.Log));
        foreach (var pack in results)
            if (pack.ExitCode != 0) throw new InvalidOperationException($"dotnet pack failed with exit code {pack.ExitCode}.\n{pack.Log}");
    }

    private static void CopySources(string repo, string copy)
    {
        Directory.CreateDirectory(copy);
        CopyTree(Path.Combine(repo, "src"), Path.Combine(copy, "src"));
        foreach (var file in Directory.GetFiles(repo))
        {
            var name = Path.GetFileName(file);
            if (name is "README.md" or "LICENSE" or "global.json" ||
                (name.StartsWith("Directory.", StringComparison.Ordinal) && (name.EndsWith(".props", StringComparison.Ordinal) || name.EndsWith(".targets", StringComparison.Ordinal))))
                File.Copy(file, Path.Combine(copy, name));
        }
        // Only the two libraries: the repository's solution also lists tests, examples and benchmarks, not copied here.
        File.WriteAllText(Path.Combine(copy, "pack.slnx"),
            "<Solution>\n  <Project Path=\"src/AutoGrad.Core/AutoGrad.Core.csproj\" />\n  <Project Path=\"src/AutoGrad.Optim/AutoGrad.Optim.csproj\" />\n</Solution>\n");
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
        {
            var name = Path.GetFileName(dir);
            if (name is "bin" or "obj" or ".vs") continue;
            CopyTree(dir, Path.Combine(to, name));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The NuGet packages: their contents, and a fresh console project that consumes them.</summary>
[Collection("Alone")]
public class PackageTests(PackedFeed packed) : IClassFixture<PackedFeed>
{
    private const string Version = "0.1.0";

    [Fact]
    public void Core_package_holds_the_assembly_its_xml_docs_the_readme_the_license_and_metadata()
    {
        var path = Path.Combine(packed.Feed, $"AutoGrad.Core.{Version}.nupkg");
        Assert.True(File.Exists(path), $"missing {path}\n{packed.PackLog}");
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        string listing = string.Join("\n", names);
        foreach (var expected in new[] { "README.md", "LICENSE", "lib/net10.0/AutoGrad.Core.dll", "lib/net10.0/AutoGrad.Core.xml", "AutoGrad.Core.nuspec" })
            Assert.True(names.Contains(expected), $"{expected} not in the package:\n{listing}");

        var nuspec = ReadEntry(zip, "AutoGrad.Core.nuspec");
        Assert.Contains("<id>AutoGrad.Core</id>", nuspec);
        Assert.Contains($"<version>{Version}</version>", nuspec);
        Assert.Contains("<authors>AutoGrad contributors</authors>", nuspec);
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec);
        Assert.Matches("<description>.+</description>", nuspec);
        Assert.Matches("<tags>.*autodiff.*</tags>", nuspec);
        Assert.Contains("id=\"System.Numerics.Tensors\"", nuspec);

        Assert.Contains("Copyright (c) 2026 AutoGrad contributors", ReadEntry(zip, "LICENSE"));
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")), ReadEntry(zip, "README.md"));
        Assert.Contains("<member name=\"T:AutoGrad.Tensor\">", ReadEntry(zip, "lib/net10.0/AutoGrad.Core.xml"));
    }

    [Fact]
    public void Optim_package_depends_on_the_Core_package_and_both_have_symbol_packages()
    {
        using (var zip = ZipFile.OpenRead(Path.Combine(packed.Feed, $"AutoGrad.Optim.{Version}.nupkg")))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/net10.0/AutoGrad.Optim.dll", names);
            Assert.Contains("lib/net10.0/AutoGrad.Optim.xml", names);
            Assert.DoesNotContain("lib/net10.0/AutoGrad.Core.dll", names);
            var nuspec = ReadEntry(zip, "AutoGrad.Optim.nuspec");
            Assert.Matches($"<dependency id=\"AutoGrad.Core\" version=\"{Regex.Escape(Version)}\"", nuspec);
        }
        foreach (var id in new[] { "AutoGrad.Core", "AutoGrad.Optim" })
        {
            using var symbols = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{id}.{Version}.snupkg"));
            Assert.Contains($"lib/net10.0/{id}.pdb", symbols.Entries.Select(e => e.FullName));
        }
        // Nothing else is packable: tests, examples and benchmarks stay out of the feed.
        Assert.Equal(
            new[] { "AutoGrad.Core.0.1.0.nupkg", "AutoGrad.Core.0.1.0.snupkg", "AutoGrad.Optim.0.1.0.nupkg", "AutoGrad.Optim.0.1.0.snupkg" },
            Directory.GetFiles(packed.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Packing_is_deterministic_two_CI_packs_in_different_folders_give_identical_dlls()
    {
        foreach (var id in new[] { "AutoGrad.Core", "AutoGrad.Optim" })
        {
            byte[] Dll(string feed)
            {
                using var zip = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{Version}.nupkg"));
                using var stream = new MemoryStream();
                using (var entry = (zip.GetEntry($"lib/net10.0/{id}.dll") ?? throw new InvalidOperationException($"no {id}.dll in {feed}")).Open())
                    entry.CopyTo(stream);
                return stream.ToArray();
            }
            var first = Dll(packed.Feed);
            Assert.True(first.AsSpan().SequenceEqual(Dll(packed.SecondFeed)), $"{id}.dll differs between the two packs\n{packed.PackLog}");
            Assert.DoesNotContain(packed.Root, Encoding.UTF8.GetString(first));   // source paths mapped away
        }
    }

    [Fact]
    public void A_fresh_console_project_restores_the_packages_and_runs_the_quickstart()
    {
        // A stale AutoGrad.* 0.1.0 in the global packages folder would mask a packaging mistake.
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "autograd.core", "autograd.optim" })
        {
            var cached = Path.Combine(globalPackages, id, Version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }

        var consumer = Path.Combine(packed.Root, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AutoGrad.Core" Version="{Version}" />
                <PackageReference Include="AutoGrad.Optim" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        // Adds the local feed to the machine's sources (no <clear/>): System.Numerics.Tensors still comes from there.
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{packed.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using System.Globalization;
            using AutoGrad;
            using AutoGrad.Optim;

            // The README's quickstart.
            var x = Tensor.FromArray(new double[,] { { 1.0, 2.0 }, { -1.0, 0.5 }, { 0.3, -1.2 }, { 2.0, 1.0 } });
            var y = Tensor.FromArray([1.0, -1.0, -1.0, 1.0]);
            Tensor Objective(Tensor w) => (-y * x.MatMul(w)).Softplus().Mean() + 0.05 * (w * w).Sum();

            var w = Tensor.FromArray([0.1, -0.2]);
            var (loss, grad) = Diff.ValueAndGrad(Objective, w);
            Console.WriteLine($"loss {loss.Item():F6}, gradient {grad}");
            Console.WriteLine(GradCheck.Check(Objective, w));
            var p = w.Detach().RequireGrad();
            Objective(p).Backward();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"values {loss.Item():R} {grad[0].Item():R} {grad[1].Item():R} {p.Grad![0].Item():R} {p.Grad![1].Item():R}"));

            // AutoGrad.Optim from its package: the README's Newton run on Rosenbrock.
            Tensor Rosenbrock(Tensor z) => (1.0 - z[0]).Square() + 100.0 * (z[1] - z[0].Square()).Square();
            var n = Tensor.FromArray([-1.5, 2.0]).RequireGrad();
            var newton = Minimizer.Minimize(Rosenbrock, n, new Newton([n]), new MinimizeOptions { GradientTolerance = 1e-6, MaxIterations = 20_000 });
            Console.WriteLine($"newton {newton.Iterations}");
            """);

        var run = Dotnet(consumer, TimeSpan.FromSeconds(180), "run", "-c", "Release", "-nodeReuse:false");
        Assert.True(run.ExitCode == 0, $"dotnet run failed with exit code {run.ExitCode}.\n{run.Log}");

        // The quickstart's gradient, derived by hand: ∇ = mean_i(−σ(−yᵢ xᵢ·w) yᵢ xᵢ) + 0.1 w.
        double[,] xs = { { 1.0, 2.0 }, { -1.0, 0.5 }, { 0.3, -1.2 }, { 2.0, 1.0 } };
        double[] ys = [1.0, -1.0, -1.0, 1.0], ws = [0.1, -0.2];
        double expectedLoss = 0.05 * (ws[0] * ws[0] + ws[1] * ws[1]);
        double[] expectedGrad = [0.1 * ws[0], 0.1 * ws[1]];
        for (int i = 0; i < 4; i++)
        {
            double m = ys[i] * (xs[i, 0] * ws[0] + xs[i, 1] * ws[1]);
            expectedLoss += Math.Log(1 + Math.Exp(-m)) / 4;
            double s = 1 / (1 + Math.Exp(m));
            for (int j = 0; j < 2; j++) expectedGrad[j] -= s * ys[i] * xs[i, j] / 4;
        }

        var values = Regex.Match(run.Stdout, @"^values (\S+) (\S+) (\S+) (\S+) (\S+)\s*$", RegexOptions.Multiline);
        Assert.True(values.Success, run.Log);
        double[] got = Enumerable.Range(1, 5).Select(g => double.Parse(values.Groups[g].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(Math.Abs(got[0] - expectedLoss) < 1e-12, $"loss {got[0]} vs {expectedLoss}\n{run.Log}");
        for (int j = 0; j < 2; j++)
        {
            Assert.True(Math.Abs(got[1 + j] - expectedGrad[j]) < 1e-12, $"gradient[{j}] {got[1 + j]} vs {expectedGrad[j]}\n{run.Log}");
            Assert.True(Math.Abs(got[3 + j] - expectedGrad[j]) < 1e-12, $"p.Grad[{j}] {got[3 + j]} vs {expectedGrad[j]}\n{run.Log}");
        }
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"loss {expectedLoss:F6}, gradient tensor("), run.Stdout);
        Assert.Contains("GradCheck of the gradient: passed", run.Stdout);
        var newton = Regex.Match(run.Stdout, @"newton (\d+)");
        Assert.True(newton.Success && int.Parse(newton.Groups[1].Value, CultureInfo.InvariantCulture) < 50, run.Log);

        // What was restored is what was just packed, not a package of the same name from another source.
        foreach (var id in new[] { "AutoGrad.Core", "AutoGrad.Optim" })
        {
            var restored = Path.Combine(globalPackages, id.ToLowerInvariant(), Version, $"{id.ToLowerInvariant()}.{Version}.nupkg");
            Assert.True(File.Exists(restored), $"{restored} not restored\n{run.Log}");
            Assert.Equal(Sha256(Path.Combine(packed.Feed, $"{id}.{Version}.nupkg")), Sha256(restored));
        }
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static string ReadEntry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"{name} not in the package");
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The folder holding AutoGrad.sln, found by walking up from the test assembly's folder.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AutoGrad.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No AutoGrad.sln above {AppContext.BaseDirectory}.");
    }

    internal sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Log => $"--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }

    /// <summary>Runs <c>dotnet</c> from PATH with a timeout, capturing both streams.</summary>
    internal static Result Dotnet(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Dotnet(workingDirectory, timeout, new Dictionary<string, string>(), arguments);

    /// <summary>Runs <c>dotnet</c> from PATH with a timeout and extra environment variables, capturing both streams.</summary>
    internal static Result Dotnet(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // The test host may carry MSBuild variables of the build that started it; a child build must not inherit them.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment) info.Environment[key] = value;

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            return new Result(-1, Collect(stdout) + $"\n(timed out after {timeout.TotalSeconds} s)", Collect(stderr));
        }
        return new Result(process.ExitCode, Collect(stdout), Collect(stderr));
    }

    // A grandchild (a build server) may keep a stream open after dotnet exits: wait briefly, never forever.
    private static string Collect(Task<string> read) => read.Wait(TimeSpan.FromSeconds(10)) ? read.Result : "(output still open)";
}
