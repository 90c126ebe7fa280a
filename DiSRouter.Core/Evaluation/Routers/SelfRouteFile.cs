using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// A fitted Self-Route router as a file (<see cref="FileName"/>, beside the served agents): the two heads that state a
/// query's family and difficulty, the registry of each agent's measured accuracy per family × difficulty, and the agents
/// it was measured on, each bound to its weights fingerprint (as decision.json is), so that a server holding other
/// weights can tell the registry no longer describes them. Written by the Training CLI's <c>fit self-route</c>; read by
/// the gateway's self-route mode.
/// </summary>
public sealed record SelfRouteFile
{
    public const string FileName = "self-route.json";
    public const string CurrentFormat = "disrouter-self-route/1";

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    /// <summary>The rule in words, for whoever opens the file.</summary>
    [JsonPropertyName("rule")]
    public string Rule { get; init; } =
        "family = argmax of family_head, difficulty = argmax of difficulty_head (softmax over the query's hashed n-grams); " +
        "p = registry cell (family, difficulty), else the family's, else all; route to argmax over agents of p_k - alpha * cost_k (a tie to the cheaper)";

    /// <summary>Hashed n-gram dimensions of the heads' features (<see cref="NGramFeatures"/>).</summary>
    [JsonPropertyName("feature_dimensions")] public required int FeatureDimensions { get; init; }

    /// <summary>The agents in cascade order: the registry's accuracies are in this order.</summary>
    [JsonPropertyName("agents")] public required IReadOnlyList<SelfRouteAgent> Agents { get; init; }

    [JsonPropertyName("family_head")] public required SoftmaxHead FamilyHead { get; init; }
    [JsonPropertyName("difficulty_head")] public required SoftmaxHead DifficultyHead { get; init; }
    [JsonPropertyName("registry")] public required ProfileRegistry Registry { get; init; }

    /// <summary>What it was fitted on (split, queries, how the answers were graded, command): provenance only.</summary>
    [JsonPropertyName("fitted_on")] public JsonElement? FittedOn { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads and checks a router file; <see cref="InvalidDataException"/> says what is wrong with it.</summary>
    public static SelfRouteFile Load(string path)
    {
        SelfRouteFile? file;
        try { file = JsonSerializer.Deserialize<SelfRouteFile>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a Self-Route router file: {e.Message}", e); }
        if (file is null) throw new InvalidDataException($"{path} is empty.");
        if (file.Format != CurrentFormat) throw new InvalidDataException($"{path} has format '{file.Format}'; this build reads '{CurrentFormat}'.");
        if (file.Agents.Count < 2) throw new InvalidDataException($"{path} names {file.Agents.Count} agent(s); routing needs at least two.");
        return file;
    }
}

/// <summary>One agent the registry was measured on: its name in the pool, the weights it served, its normalised cost.</summary>
public sealed record SelfRouteAgent(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("weights_sha256")] string WeightsSha256,
    [property: JsonPropertyName("cost")] double Cost);

/// <summary>
/// A softmax head's weights: per class, a weight for each listed feature (every other is zero) and a bias. The weights
/// are float32, little-endian, base64 (<see cref="Encode"/>): WHY, as JSON numbers the two heads took 1.5 MB, four times
/// this, for no reader who would read them; the features, classes and biases stay readable.
/// </summary>
public sealed record SoftmaxHead(
    [property: JsonPropertyName("classes")] IReadOnlyList<string> Classes,
    [property: JsonPropertyName("features")] int[] Features,
    [property: JsonPropertyName("weights_f32le_base64")] IReadOnlyList<string> Weights,
    [property: JsonPropertyName("bias")] double[] Bias)
{
    public static string Encode(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>A class's weights, one per listed feature; <see cref="InvalidDataException"/> when they are not that.</summary>
    public float[] Row(int c)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(Weights[c]); }
        catch (FormatException e) { throw new InvalidDataException($"The weights of class '{Classes[c]}' are not base64: {e.Message}", e); }
        if (bytes.Length != Features.Length * sizeof(float))
            throw new InvalidDataException($"Class '{Classes[c]}' has {bytes.Length / (double)sizeof(float)} weights for {Features.Length} features.");
        var row = new float[Features.Length];
        for (int i = 0; i < row.Length; i++) row[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return row;
    }
}

/// <summary>Measured accuracies per agent: per (family, difficulty) cell, per family (difficulty null), and over all queries.</summary>
public sealed record ProfileRegistry(
    [property: JsonPropertyName("cells")] IReadOnlyList<ProfileCell> Cells,
    [property: JsonPropertyName("families")] IReadOnlyList<ProfileCell> Families,
    [property: JsonPropertyName("all")] double[] All);

public sealed record ProfileCell(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("difficulty"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Difficulty,
    [property: JsonPropertyName("accuracy")] double[] Accuracy);
