using System.Text.Json;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Jobs;

/// <summary>
/// Checkpoints small enough that the real training CLI samples, fine-tunes and runs RL on them in well under a second
/// per stage (the Training tests' TinyWorld), in a temp folder deleted with the test.
/// </summary>
internal sealed class TinyCheckpoints : IDisposable
{
    /// <summary>The self-awareness tests' tiny model (<see cref="TinyWorld"/>), so jobs train what the stages are tested on.</summary>
    public static TransformerConfig Config => TinyWorld.Config;

    public string Root { get; } = Directory.CreateTempSubdirectory("disrouter-jobs-").FullName;

    public string Sub(string name) => Path.Combine(Root, name);

    /// <summary>A freshly initialised tiny model; another seed or MLP width gives a checkpoint that differs in every file but the tokenizer.</summary>
    public string Save(string name, int seed, int intermediateSize = 96)
    {
        var dir = Sub(name);
        Checkpoint.Save(dir, TransformerModel.Create(Config with { IntermediateSize = intermediateSize }, seed), ByteTokenizer.Default);
        return dir;
    }

    /// <summary>Every file of a checkpoint folder, by name, as bytes (stray hidden files included, so leftovers show).</summary>
    public static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).ToDictionary(p => Path.GetFileName(p), p => File.Exists(p) ? File.ReadAllBytes(p) : []);

    public static void AssertSame(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} changed");
    }

    /// <summary>
    /// samples.jsonl for nine queries answered correctly 0 … 8 times out of 8, so that every scenario has queries to
    /// answer and to reject (the format of DiSRouter.Training's QuerySamples; a random tiny model answers nothing).
    /// </summary>
    public static void WriteLadderSamples(string run)
    {
        Directory.CreateDirectory(run);
        var lines = Enumerable.Range(0, 9).Select(c => JsonSerializer.Serialize(new
        {
            id = $"q{c}",
            family = "arith",
            difficulty = "easy",
            question = $"What is q{c}?",
            reference = "42",
            samples = Enumerable.Range(0, 8).Select(j => j < c
                ? new { text = $"Let's think step by step: path {j}. The final answer is: 42.", answer = "42", correct = true, tokens = 20 }
                : new { text = $"Let's think step by step: slip {j}. The final answer is: 41.", answer = "41", correct = false, tokens = 20 }),
        }));
        File.WriteAllText(Path.Combine(run, "samples.jsonl"), string.Join("\n", lines) + "\n");
    }

    /// <summary>Processes whose command line names the run directory: the job's stages, if any still runs.</summary>
    public static List<int> ProcessesNaming(string run) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(n =>
        {
            try { return File.ReadAllText($"/proc/{n}/cmdline").Replace('\0', ' ').Contains(run) ? int.Parse(n!) : 0; }
            catch (IOException) { return 0; }
            catch (UnauthorizedAccessException) { return 0; }
        }).Where(pid => pid != 0).ToList();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
