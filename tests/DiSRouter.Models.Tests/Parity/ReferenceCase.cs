using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DiSRouter.Models.Tests.Parity;

/// <summary>
/// One case written by Reference/make_reference.py: config, token sequences, loss masks, the masked mean
/// cross-entropy and float32 tensors (weights, their gradients, logits, log-probabilities) from PyTorch in float64.
/// </summary>
internal sealed class ReferenceCase
{
    private readonly float[] _data;
    private readonly Dictionary<string, (int Offset, int[] Shape)> _index = [];

    private ReferenceCase(string name)
    {
        string dir = Path.Combine(SourceDirectory(), "..", "TestData", "parity");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, name + ".json")));
        var root = json.RootElement;
        var c = root.GetProperty("config");
        Config = JsonSerializer.Deserialize<TransformerConfig>(c.GetRawText())!;
        Sequences = [.. root.GetProperty("sequences").EnumerateArray().Select(s => s.EnumerateArray().Select(t => t.GetInt32()).ToArray())];
        LossMasks = [.. root.GetProperty("loss_masks").EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Null ? null : m.EnumerateArray().Select(w => w.GetSingle()).ToArray())];
        Loss = root.GetProperty("loss").GetDouble();
        GradNorms = [.. root.GetProperty("grad_norms").EnumerateArray().Select(x => x.GetDouble())];
        SeqLen = root.GetProperty("seq_len").GetInt32();
        foreach (var t in root.GetProperty("tensors").EnumerateObject())
            _index[t.Name] = (t.Value.GetProperty("offset").GetInt32(), [.. t.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())]);
        var bytes = File.ReadAllBytes(Path.Combine(dir, name + ".bin"));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The reference data is little-endian float32.");
        _data = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (_data.Length != root.GetProperty("total_floats").GetInt32()) throw new InvalidDataException($"{name}.bin holds {_data.Length} floats, the index says {root.GetProperty("total_floats").GetInt32()}.");
    }

    public TransformerConfig Config { get; }
    public int[][] Sequences { get; }
    public float[]?[] LossMasks { get; }
    public double Loss { get; }
    public double[] GradNorms { get; }
    public int SeqLen { get; }

    public IEnumerable<string> WeightNames => _index.Keys.Where(k => k.StartsWith("weight/", StringComparison.Ordinal)).Select(k => k["weight/".Length..]);

    public float[] Tensor(string key, out int[] shape)
    {
        var (offset, s) = _index.TryGetValue(key, out var e) ? e : throw new KeyNotFoundException($"The reference has no tensor '{key}'.");
        shape = s;
        return _data.AsSpan(offset, s.Aggregate(1, (a, b) => a * b)).ToArray();
    }

    public float[] Tensor(string key) => Tensor(key, out _);

    public TransformerModel LoadModel()
    {
        var model = TransformerModel.CreateEmpty(Config);
        var tensors = new Dictionary<string, NamedTensor>();
        foreach (var name in WeightNames)
        {
            var data = Tensor("weight/" + name, out var shape);
            tensors[name] = new NamedTensor(name, shape, data);
        }
        model.LoadState(tensors);
        return model;
    }

    public static ReferenceCase Load(string name) => new(name);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
