using Recur.Modules;
using Recur.Serialization;
using Recur.Tensors;

namespace Recur.Tests.Serialization;

public sealed class StateDictFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A linear layer's worth of parameters: weight (2, 3) and bias (2).</summary>
    private sealed class Tiny : Module
    {
        public Tiny(float start = 0)
        {
            Parameters = [new Parameter("weight", 2, 3), new Parameter("bias", 2)];
            float v = start;
            foreach (var p in Parameters)
            {
                foreach (ref float x in p.Value.Span)
                {
                    x = v++;
                }
            }
        }

        public override IReadOnlyList<Parameter> Parameters { get; }
    }

    private string WriteFile(Dictionary<string, Tensor> tensors)
    {
        string path = _dir.File("state.safetensors");
        SafeTensors.Write(path, tensors);
        return path;
    }

    [Fact]
    public void Save_then_load_copies_every_parameter_and_returns_the_metadata()
    {
        string path = _dir.File("tiny.safetensors");
        StateDictFile.Save(new Tiny(start: 1), path, new Dictionary<string, string> { ["epoch"] = "3" });
        var target = new Tiny(start: 100);

        var metadata = StateDictFile.Load(target, path);

        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, target.GetParameter("weight").Value.Span.ToArray());
        Assert.Equal(new[] { 7f, 8f }, target.GetParameter("bias").Value.Span.ToArray());
        Assert.Equal("3", metadata["epoch"]);
    }

    [Fact]
    public void Saved_file_holds_pytorch_names_in_reference_order()
    {
        string path = _dir.File("tiny.safetensors");

        StateDictFile.Save(new Tiny(), path);

        Assert.Equal(["bias", "weight"], SafeTensors.Read(path).Tensors.Keys);
    }

    [Fact]
    public void Missing_tensor_is_reported_with_the_file_and_nothing_is_loaded()
    {
        string path = WriteFile(new() { ["weight"] = new Tensor(2, 3) });
        var target = new Tiny(start: 1);

        var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Load(target, path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("do not match Tiny", e.Message);
        Assert.Contains("missing [bias]", e.Message);
        Assert.Equal(1f, target.GetParameter("weight").Value[0, 0]);
    }

    [Fact]
    public void Extra_tensor_is_reported_when_strict_and_ignored_when_not()
    {
        var tensors = new Tiny(start: 5).StateDict();
        tensors["weight_hh_l0"] = new Tensor(1);
        string path = WriteFile(tensors);
        var target = new Tiny();

        var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Load(target, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("unexpected [weight_hh_l0]", e.Message);
        Assert.DoesNotContain("missing", e.Message);

        StateDictFile.Load(target, path, strict: false);
        Assert.Equal(5f, target.GetParameter("weight").Value[0, 0]);
    }

    [Fact]
    public void Missing_tensor_is_allowed_when_not_strict()
    {
        string path = WriteFile(new() { ["bias"] = Tensor.FromValues([9f, 9f], 2) });
        var target = new Tiny();

        StateDictFile.Load(target, path, strict: false);

        Assert.Equal(new[] { 9f, 9f }, target.GetParameter("bias").Value.Span.ToArray());
        Assert.Equal(0f, target.GetParameter("weight").Value[0, 0]);
    }

    [Fact]
    public void Shape_mismatch_names_the_file_the_parameter_and_both_shapes_even_when_not_strict()
    {
        string path = WriteFile(new() { ["weight"] = new Tensor(3, 2), ["bias"] = new Tensor(2) });
        var target = new Tiny(start: 1);

        foreach (bool strict in new[] { true, false })
        {
            var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Load(target, path, strict));
            Assert.Contains(path, e.Message);
            Assert.Contains("'weight' has shape (3, 2) in the file, the module expects (2, 3)", e.Message);
        }

        Assert.Equal(1f, target.GetParameter("weight").Value[0, 0]);
    }

    [Fact]
    public void Malformed_file_surfaces_as_the_format_exception_naming_the_file()
    {
        string path = _dir.File("broken.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var e = Assert.Throws<SafeTensorsFormatException>(() => StateDictFile.Load(new Tiny(), path));

        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Half_precision_file_loads_into_float32_parameters()
    {
        string path = _dir.File("half.safetensors");
        byte[] halves = [0x00, 0x3C, 0x00, 0x40]; // 1, 2
        var weight = new byte[6 * 2];
        string header = "{\"bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
                        "\"weight\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[4,16]}}";
        File.WriteAllBytes(path, SafeTensorsTestFiles.Build(header, [.. halves, .. weight]));
        var target = new Tiny(start: 1);

        StateDictFile.Load(target, path);

        Assert.Equal(new[] { 1f, 2f }, target.GetParameter("bias").Value.Span.ToArray());
        Assert.All(target.GetParameter("weight").Value.Span.ToArray(), v => Assert.Equal(0f, v));
    }
}
