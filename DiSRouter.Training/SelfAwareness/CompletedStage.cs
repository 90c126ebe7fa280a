using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// Finds a training stage's finished output made from the same inputs, so that running a stage again (a pipeline
/// rerun after a crash in a later stage, a scheduled job with nothing new) returns that output instead of training it
/// a second time: with the same inputs and seed the stage is deterministic and would only repeat itself. The inputs
/// (the data or query set, the starting checkpoint's weights, every option) are hashed into the checkpoint's metadata.
/// </summary>
internal static class CompletedStage
{
    /// <summary>The checkpoint metadata key that holds the hash of the inputs the checkpoint was trained from.</summary>
    public const string InputsKey = "inputs_sha256";

    public static string InputsHash(params string[] parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts) sb.Append(p.Length).Append(':').Append(p).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..32];
    }

    /// <summary>The metadata a training stage's published checkpoint carries: the stage, its inputs hash, α grid, seed and steps.</summary>
    public static Dictionary<string, string> Metadata(string stage, string inputs, IEnumerable<double> alphas, int seed, int steps) => new()
    {
        ["stage"] = stage,
        [InputsKey] = inputs,
        ["alphas"] = string.Join(",", alphas.Select(a => a.ToString("R", CultureInfo.InvariantCulture))),
        ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        ["steps"] = steps.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The first 16 hex digits of a file's SHA-256 (a checkpoint's weights as a stage input).</summary>
    public static string FileHash(string path) => Pool.PoolManifest.Sha256(path)[..16];

    /// <summary>
    /// A checkpoint folder's weights as a stage input: model.safetensors' <see cref="FileHash"/>, or for a sharded Hugging
    /// Face folder (Qwen2.5-3B and larger ship as shards beside model.safetensors.index.json) a hash of the index's and
    /// every shard's hashes.
    /// </summary>
    public static string WeightsHash(string checkpointDirectory)
    {
        var single = Path.Combine(checkpointDirectory, Checkpoint.WeightsFileName);
        var index = Path.Combine(checkpointDirectory, SafeTensorsShards.IndexFileName);
        if (File.Exists(single) || !File.Exists(index)) return FileHash(single);
        using var shards = SafeTensorsShards.Open(checkpointDirectory);
        var files = shards.Tensors.Keys.Select(shards.PathOf).Distinct().Order(StringComparer.Ordinal);
        return InputsHash([FileHash(index), .. files.Select(f => $"{Path.GetFileName(f)}={FileHash(f)}")])[..16];
    }

    /// <summary>
    /// The stage's report when <paramref name="checkpointDirectory"/> holds a whole checkpoint trained from
    /// <paramref name="inputs"/> and the report says the stage completed; otherwise null (the stage runs).
    /// </summary>
    public static StageReport? Find(string checkpointDirectory, string reportPath, string inputs)
    {
        var weights = Path.Combine(checkpointDirectory, Checkpoint.WeightsFileName);
        if (!File.Exists(weights) || !File.Exists(Path.Combine(checkpointDirectory, "config.json"))) return null;
        var report = StageReport.TryLoad(reportPath);
        if (report?.Status != "complete") return null;
        try
        {
            using var file = SafeTensorsFile.Open(weights);
            return file.Metadata.TryGetValue(InputsKey, out var made) && made == inputs ? report : null;
        }
        catch (CheckpointException)
        {
            return null; // unreadable: train it again (the write replaces the folder whole)
        }
    }
}
