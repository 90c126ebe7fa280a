using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiSRouter.Models;

namespace DiSRouter.Training.Pool;

/// <summary>
/// <c>manifest.json</c> beside a committed pool: for each member in cascade order, what it is (config,
/// parameters), how it was made (seed, command, data hash), how good and how dear it is (accuracies,
/// cost, latency, FLOPs), and the SHA-256 of every file so that a wrong or altered checkpoint is caught.
/// </summary>
internal sealed record PoolManifest
{
    public const string FileName = "manifest.json";

    [JsonPropertyName("pool")] public required string Pool { get; init; }
    [JsonPropertyName("description")] public string Description { get; init; } = "";
    [JsonPropertyName("generator_version")] public required string GeneratorVersion { get; init; }
    [JsonPropertyName("data_hash")] public required string DataHash { get; init; }
    [JsonPropertyName("command")] public required string Command { get; init; }
    [JsonPropertyName("flops_formula")] public string FlopsFormula { get; init; } = "2*N_matmul + 4*L*T*(Hq*D), T = 128";
    [JsonPropertyName("evaluation")] public EvaluationInfo? Evaluation { get; init; }
    [JsonPropertyName("models")] public required IReadOnlyList<PoolManifestModel> Models { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static PoolManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<PoolManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: the manifest is empty.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: the manifest is not valid JSON ({e.Message}).", e); }
    }

    /// <summary>Writes via a temporary file and a rename, so readers never see half a manifest.</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    public PoolManifestModel? Find(string name) => Models.FirstOrDefault(m => m.Name == name);

    /// <summary>
    /// Every mismatch between the manifest and the files under <paramref name="poolDirectory"/>: missing or
    /// extra files, hashes that differ. Empty when the committed pool is exactly what the manifest says.
    /// </summary>
    public IReadOnlyList<string> Verify(string poolDirectory)
    {
        var problems = new List<string>();
        foreach (var m in Models)
        {
            var dir = Path.Combine(poolDirectory, m.Directory);
            if (!System.IO.Directory.Exists(dir)) { problems.Add($"{m.Name}: directory '{dir}' is missing."); continue; }
            foreach (var (file, expected) in m.Files)
            {
                var path = Path.Combine(dir, file);
                if (!File.Exists(path)) problems.Add($"{m.Name}: file '{file}' is missing.");
                else if (Sha256(path) != expected) problems.Add($"{m.Name}: file '{file}' has SHA-256 {Sha256(path)}, the manifest says {expected}.");
            }
            foreach (var path in System.IO.Directory.EnumerateFiles(dir))
                if (!m.Files.ContainsKey(Path.GetFileName(path))) problems.Add($"{m.Name}: file '{Path.GetFileName(path)}' is not in the manifest.");
        }
        return problems;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>SHA-256 of every file of a checkpoint directory, by file name.</summary>
    public static SortedDictionary<string, string> HashFiles(string directory) =>
        new(System.IO.Directory.EnumerateFiles(directory).ToDictionary(p => Path.GetFileName(p), Sha256), StringComparer.Ordinal);
}

/// <summary>How the accuracies in the manifest were measured.</summary>
internal sealed record EvaluationInfo
{
    [JsonPropertyName("split")] public required string Split { get; init; }
    [JsonPropertyName("items_per_family")] public required int ItemsPerFamily { get; init; }
    [JsonPropertyName("decoding")] public string Decoding { get; init; } = "greedy";
    [JsonPropertyName("command")] public required string Command { get; init; }
    [JsonPropertyName("machine")] public string Machine { get; init; } = "";

    /// <summary>The families the figures cover, in evaluation order: a family added to the world makes the figures stale.</summary>
    [JsonPropertyName("families")] public IReadOnlyList<string>? Families { get; init; }
}

internal sealed record PoolManifestModel
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("directory")] public required string Directory { get; init; }
    [JsonPropertyName("config")] public required TransformerConfig Config { get; init; }
    [JsonPropertyName("parameters")] public required long Parameters { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("command")] public required string Command { get; init; }
    [JsonPropertyName("data_hash")] public required string DataHash { get; init; }
    [JsonPropertyName("cost")] public required double Cost { get; init; }
    [JsonPropertyName("max_new_tokens")] public required int MaxNewTokens { get; init; }
    [JsonPropertyName("flops_per_token")] public required long FlopsPerToken { get; init; }
    [JsonPropertyName("training")] public required TrainingInfo Training { get; init; }
    [JsonPropertyName("accuracy")] public AccuracyInfo? Accuracy { get; init; }
    [JsonPropertyName("mean_latency_ms")] public double? MeanLatencyMs { get; init; }
    [JsonPropertyName("mean_tokens")] public double? MeanTokens { get; init; }
    [JsonPropertyName("files")] public required IReadOnlyDictionary<string, string> Files { get; init; }
}

internal sealed record TrainingInfo
{
    [JsonPropertyName("steps")] public required int Steps { get; init; }
    [JsonPropertyName("batch_size")] public required int BatchSize { get; init; }
    [JsonPropertyName("learning_rate")] public required float LearningRate { get; init; }
    [JsonPropertyName("tokens_seen")] public required long TokensSeen { get; init; }
    [JsonPropertyName("final_loss")] public required double FinalLoss { get; init; }
    [JsonPropertyName("train_seconds")] public required double TrainSeconds { get; init; }

    /// <summary>
    /// The engine's SIMD path the steps ran on (<see cref="Models.Kernels.SimdPath.Describe"/>; "A, then B" when a run was
    /// resumed on another). WHY: the paths sum in different orders, so the same command gives other weights on a machine
    /// with another vector width, and the same weights bit for bit only on the same path (docs/pool.md). Absent for
    /// members trained before it was recorded (the committed pool of 2026-12-05: 512-bit, AVX-512).
    /// </summary>
    [JsonPropertyName("simd_path")] public string? SimdPath { get; init; }
}

internal sealed record AccuracyInfo
{
    [JsonPropertyName("id")] public required double InDomain { get; init; }
    [JsonPropertyName("ood")] public required double OutOfDomain { get; init; }
    [JsonPropertyName("families")] public required IReadOnlyDictionary<string, double> Families { get; init; }
}
