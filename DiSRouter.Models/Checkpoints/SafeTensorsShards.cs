using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// A checkpoint's weights as one set of named tensors, whether they sit in one <c>model.safetensors</c> or in shards
/// listed by <c>model.safetensors.index.json</c> (<c>{"weight_map": {name: file}}</c>, what Hugging Face writes for
/// models above a few GB). Each shard is opened once; tensors are read on demand, widened to float32.
/// </summary>
public sealed class SafeTensorsShards : IDisposable
{
    public const string IndexFileName = Checkpoint.WeightsFileName + ".index.json";

    private readonly List<SafeTensorsFile> _files;
    private readonly Dictionary<string, SafeTensorsFile> _fileOf;

    private SafeTensorsShards(List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> fileOf)
    {
        _files = files;
        _fileOf = fileOf;
        Tensors = fileOf.ToDictionary(kv => kv.Key, kv => kv.Value.Tensors[kv.Key], StringComparer.Ordinal);
        // The first file's metadata: our single-file checkpoints keep theirs there, and shards repeat "format" only.
        Metadata = files[0].Metadata;
    }

    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Where a tensor lives (its shard's path), for error messages.</summary>
    public string PathOf(string name) => _fileOf.TryGetValue(name, out var f) ? f.Path : "";

    /// <summary>Opens <c>model.safetensors</c> in <paramref name="directory"/>, else the shards its index names.</summary>
    public static SafeTensorsShards Open(string directory)
    {
        var single = Path.Combine(directory, Checkpoint.WeightsFileName);
        var index = Path.Combine(directory, IndexFileName);
        if (File.Exists(single) || !File.Exists(index))
        {
            var file = SafeTensorsFile.Open(single);   // throws "does not exist" naming model.safetensors when neither is there
            return new SafeTensorsShards([file], file.Tensors.Keys.ToDictionary(k => k, _ => file, StringComparer.Ordinal));
        }

        var weightMap = ReadWeightMap(index);
        var files = new List<SafeTensorsFile>();
        var byName = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        var fileOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var shardName in weightMap.Values.Distinct(StringComparer.Ordinal))
            {
                if (shardName.Contains('/') || shardName.Contains('\\') || shardName.Contains(".."))
                    throw new CheckpointException(index, $"shard '{shardName}' is not a file name in the checkpoint folder");
                var shard = SafeTensorsFile.Open(Path.Combine(directory, shardName));
                files.Add(shard);
                byName[shardName] = shard;
            }
            foreach (var (tensor, shardName) in weightMap)
            {
                var shard = byName[shardName];
                if (!shard.Tensors.ContainsKey(tensor))
                    throw new CheckpointException(shard.Path, $"tensor '{tensor}' is missing, though {IndexFileName} places it here");
                fileOf[tensor] = shard;
            }
            foreach (var shard in files)
                foreach (var tensor in shard.Tensors.Keys)
                    if (!weightMap.ContainsKey(tensor))
                        throw new CheckpointException(shard.Path, $"tensor '{tensor}' is not listed in {IndexFileName}");
            return new SafeTensorsShards(files, fileOf);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    /// <summary>Reads a tensor, widened to float32, into <paramref name="destination"/> (its exact length).</summary>
    public void ReadInto(string name, Span<float> destination)
    {
        if (!_fileOf.TryGetValue(name, out var file)) throw new CheckpointException(_files[0].Path, $"tensor '{name}' is missing");
        file.ReadInto(name, destination);
    }

    /// <summary>Elements [<paramref name="start"/>, start + destination.Length) of a tensor, widened to float32 (<see cref="SafeTensorsFile.ReadRange"/>).</summary>
    public void ReadRange(string name, long start, Span<float> destination)
    {
        if (!_fileOf.TryGetValue(name, out var file)) throw new CheckpointException(_files[0].Path, $"tensor '{name}' is missing");
        file.ReadRange(name, start, destination);
    }

    public float[] Read(string name)
    {
        if (!_fileOf.TryGetValue(name, out var file)) throw new CheckpointException(_files[0].Path, $"tensor '{name}' is missing");
        return file.Read(name);
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }

    private static Dictionary<string, string> ReadWeightMap(string index)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(index)) is not JsonObject root || root["weight_map"] is not JsonObject map)
                throw new CheckpointException(index, "it has no \"weight_map\" object");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (tensor, node) in map)
            {
                if (node is not JsonValue v || !v.TryGetValue(out string? file) || string.IsNullOrEmpty(file))
                    throw new CheckpointException(index, $"tensor '{tensor}' maps to no file name");
                result[tensor] = file;
            }
            if (result.Count == 0) throw new CheckpointException(index, "\"weight_map\" is empty");
            return result;
        }
        catch (JsonException e)
        {
            throw new CheckpointException(index, "not valid JSON: " + e.Message, e);
        }
    }
}
