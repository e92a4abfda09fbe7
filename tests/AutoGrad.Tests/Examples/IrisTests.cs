using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AutoGrad.Examples;
using AutoGrad.Examples.Data;

namespace AutoGrad.Tests.Examples;

public class IrisTests
{
    [Fact]
    public void The_csv_loads_as_150_by_4_with_3_classes_of_50_and_the_stated_means()
    {
        var iris = IrisSoftmaxLesson.LoadIris();
        Assert.Equal([150, 4], iris.Features.Shape);
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], iris.FeatureNames);
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.ClassNames!);
        for (int c = 0; c < 3; c++)
            Assert.Equal(50, iris.Labels!.Count(l => l == c));
        var means = iris.Features.Mean(0).ToArray();
        double[] expected = [5.843, 3.057, 3.758, 1.199];
        for (int j = 0; j < 4; j++)
            Assert.True(Math.Abs(means[j] - expected[j]) < 1e-3, $"column {j}: mean {means[j]}, expected {expected[j]}");
    }

    [Fact]
    public void The_loader_refuses_a_non_numeric_cell_naming_file_line_and_column()
    {
        string path = Path.Combine(Path.GetTempPath(), "autograd-csv-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, "a,b,label\n1,2,x\n3,4,y\n5,oops,x\n");
        try
        {
            var e = Assert.Throws<FormatException>(() => Csv.Load(path, hasHeader: true, labelColumn: "label"));
            Assert.Contains(path, e.Message);
            Assert.Contains("line 4", e.Message);
            Assert.Contains("column 2 ('b')", e.Message);
            Assert.Contains("'oops'", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_loader_reads_a_headerless_file_with_a_label_index_and_no_labels()
    {
        string path = Path.Combine(Path.GetTempPath(), "autograd-csv-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, "1.5,b,2\n-3e2,a,4\n");
        try
        {
            var t = Csv.Load(path, hasHeader: false, labelColumn: 1);
            Assert.Equal([2, 2], t.Features.Shape);
            Assert.Equal([1.5, 2, -300, 4], t.Features.ToArray());
            Assert.Equal([0, 1], t.Labels!);
            Assert.Equal(["b", "a"], t.ClassNames!);
            Assert.Throws<FormatException>(() => Csv.Load(path, hasHeader: false));   // 'b' is not a number
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_lesson_reaches_90_percent_test_accuracy_in_quick_mode()
    {
        var r = IrisSoftmaxLesson.Compute(quick: true);
        Assert.Equal(150, r.TrainCount + r.TestCount);
        Assert.True(r.TestAccuracy >= 0.9, $"test accuracy {r.TestAccuracy}");
        Assert.True(r.Losses[^1] < 0.25 * r.Losses[0], $"loss {r.Losses[0]} -> {r.Losses[^1]}");
    }

    [Fact]
    public void Run_returns_0_and_writes_the_loss_curve()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new IrisSoftmaxLesson().Run(context));
        Assert.Contains("test accuracy", output.ToString());
        Assert.Equal("svg", XDocument.Load(context.PathOf("iris-loss.svg")).Root!.Name.LocalName);
    }

    [Fact]
    public void The_data_file_checksum_matches_its_licence()
    {
        string license = File.ReadAllText(CsvTable.DataFile("iris", "LICENSE.md"));
        var stated = Regex.Match(license, @"SHA-256 of `iris\.csv`: `([0-9a-f]{64})`");
        Assert.True(stated.Success, "LICENSE.md states no SHA-256 for iris.csv");
        string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(IrisSoftmaxLesson.DataPath)));
        Assert.Equal(stated.Groups[1].Value, actual);
    }
}
