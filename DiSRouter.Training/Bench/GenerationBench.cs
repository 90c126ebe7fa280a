using System.Diagnostics;
using System.Text.Json;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Bench;

/// <summary>
/// What a local agent's model call costs, split into set-up, prefill, first token and decode (see
/// <see cref="GenerationTimings"/>): a rejection decided at the first character against an answer of
/// <c>answerTokens</c> tokens, on the prompts the network bench sends (the nano world's test questions behind the
/// compact cost-first instruction). Calls are spaced by <c>gapMs</c> because in the network an agent sits idle while
/// the other agents work, so every call starts with the engine's worker threads asleep.
/// </summary>
internal static class GenerationBench
{
    public sealed record Split(double ReusedTokens, double SetUpMs, double PrefillMs, double FirstTokenMs, double DecodeMs, double TotalMs, double WallMs, double MeanWallMs);

    public sealed record Result(string Checkpoint, long Params, double PromptTokens, Split Reject, Split Answer, int AnswerTokens,
        Split? RejectRepacked = null, Split? AnswerRepacked = null)
    {
        /// <summary>A rejection's model time over an answer's, of the medians (the typical call).</summary>
        public double RejectShare => Reject.WallMs / Answer.WallMs;

        /// <summary>The same of the means, as the network bench reports it (a call held up by the OS weighs in).</summary>
        public double MeanRejectShare => Reject.MeanWallMs / Answer.MeanWallMs;
    }

    /// <param name="compareRepacked">Also time every call with the weights re-packed per product (as before
    /// <see cref="PackedWeight"/>), interleaved call by call with the prepacked ones, so that both see the same machine.</param>
    public static int Run(TextWriter output, string checkpoints, int prompts, int answerTokens, int gapMs, int rounds, bool json, bool compareRepacked = false)
    {
        var dirs = Directory.Exists(checkpoints)
            ? Directory.GetDirectories(checkpoints).Where(d => File.Exists(Path.Combine(d, "config.json"))).Order(StringComparer.Ordinal).ToArray()
            : [];
        if (File.Exists(Path.Combine(checkpoints, "config.json"))) dirs = [checkpoints];
        if (dirs.Length == 0)
        {
            Console.Error.WriteLine($"No checkpoint (a folder with config.json) in '{checkpoints}'.");
            return 2;
        }
        var system = ScenarioPrompt.For(Scenario.CostFirst, ScenarioPromptStyle.Compact);
        var questions = TaskQueries.Draw(new TaskSuite(seed: 0), TaskSplit.Test, prompts, drawSeed: 0).Select(i => i.Prompt).ToList();
        if (!json)
        {
            output.WriteLine($"generation call split, engine threads {EngineThreads.Count}, median ms of {rounds} x {questions.Count} prompts ('{system}' + test question), calls {gapMs} ms apart");
            output.WriteLine($"reject = stopped after the first token; answer = {answerTokens} tokens; reused = prompt tokens from the prefix cache; wall = the whole call (mean: its mean)");
            output.WriteLine($"{"checkpoint",-10} {"params",9} {"prompt",6} | {"call",6} {"reused",6} {"set-up",7} {"prefill",7} {"1st tok",7} {"decode",7} {"wall",7} {"mean",7} | {"reject/answer",13} {"(means)",8}");
        }
        foreach (var dir in dirs)
        {
            var r = Measure(dir, system, questions, answerTokens, gapMs, rounds, compareRepacked);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(r));
            }
            else
            {
                string name = Path.GetFileName(dir);
                output.WriteLine($"{name,-10} {r.Params,9:N0} {r.PromptTokens,6:F0} | {"reject",6} {Row(r.Reject)} |");
                output.WriteLine($"{"",-10} {"",9} {"",6} | {"answer",6} {Row(r.Answer)} | {r.RejectShare,13:P1} {r.MeanRejectShare,8:P1}");
                if (r.RejectRepacked is { } rr && r.AnswerRepacked is { } ar)
                {
                    output.WriteLine($"{"",-10} {"",9} {"",6} | {"rej rp",6} {Row(rr)} |");
                    output.WriteLine($"{"",-10} {"",9} {"",6} | {"ans rp",6} {Row(ar)} | {rr.WallMs / ar.WallMs,13:P1} {rr.MeanWallMs / ar.MeanWallMs,8:P1}");
                }
            }
            output.Flush();
        }
        return 0;
    }

    private static string Row(Split s) =>
        $"{s.ReusedTokens,6:F1} {s.SetUpMs,7:F3} {s.PrefillMs,7:F3} {s.FirstTokenMs,7:F3} {s.DecodeMs,7:F3} {s.WallMs,7:F3} {s.MeanWallMs,7:F3}";

    private static Result Measure(string dir, string system, IReadOnlyList<string> questions, int answerTokens, int gapMs, int rounds, bool compareRepacked)
    {
        var checkpoint = Checkpoint.Load(dir);
        var generator = new Generator(checkpoint.Model, checkpoint.Tokenizer);
        var prompts = questions.Select(q => ChatFormat.EncodePrompt(checkpoint.Tokenizer, system, q)).ToList();
        var reject = new GenerationOptions { MaxNewTokens = 256 };
        var answer = new GenerationOptions { MaxNewTokens = answerTokens, StopAtEos = false };
        Func<int, string, bool> stopAtOnce = (_, _) => false, goOn = (_, _) => true;

        // One untimed round: tier-1 JIT code, workspaces in the pool.
        foreach (var p in prompts) { generator.Generate(p, reject, stopAtOnce); generator.Generate(p, answer, goOn); }

        var rejects = new List<(GenerationTimings T, double Wall)>();
        var answers = new List<(GenerationTimings T, double Wall)>();
        var rejectsRepacked = new List<(GenerationTimings T, double Wall)>();
        var answersRepacked = new List<(GenerationTimings T, double Wall)>();
        int n = prompts.Count;
        try
        {
            for (int round = 0; round < rounds; round++)
                for (int i = 0; i < n; i++)
                {
                    // Never a prompt asked in the last few calls: an agent sees each question once, and the prompt
                    // prefix cache (the last four prompts) would otherwise hand a call the whole prompt.
                    rejects.Add(Timed(generator, prompts[i], reject, stopAtOnce, gapMs));
                    answers.Add(Timed(generator, prompts[(i + n / 2) % n], answer, goOn, gapMs));
                    if (!compareRepacked) continue;
                    Gemm.UsePrepackedPanels = false;
                    rejectsRepacked.Add(Timed(generator, prompts[(i + n / 4) % n], reject, stopAtOnce, gapMs));
                    answersRepacked.Add(Timed(generator, prompts[(i + 3 * n / 4) % n], answer, goOn, gapMs));
                    Gemm.UsePrepackedPanels = true;
                }
        }
        finally
        {
            Gemm.UsePrepackedPanels = true;
        }
        return new Result(Path.GetFileName(dir), checkpoint.Model.ParameterCount, prompts.Average(p => p.Length),
            Median(rejects), Median(answers), answerTokens,
            compareRepacked ? Median(rejectsRepacked) : null, compareRepacked ? Median(answersRepacked) : null);
    }

    private static (GenerationTimings, double) Timed(Generator g, int[] prompt, GenerationOptions o, Func<int, string, bool> go, int gapMs)
    {
        if (gapMs > 0) Thread.Sleep(gapMs);
        var t = new GenerationTimings();
        long t0 = Stopwatch.GetTimestamp();
        g.Generate(prompt, o, go, CancellationToken.None, t);
        return (t, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
    }

    // Medians: the machine is shared, and one preempted call would otherwise move a mean by more than the effect measured.
    private static Split Median(List<(GenerationTimings T, double Wall)> runs) => new(
        runs.Average(r => r.T.ReusedPromptTokens),
        Median(runs.Select(r => r.T.SetUp.TotalMilliseconds)), Median(runs.Select(r => r.T.Prefill.TotalMilliseconds)),
        Median(runs.Select(r => r.T.FirstToken.TotalMilliseconds)), Median(runs.Select(r => r.T.Decode.TotalMilliseconds)),
        Median(runs.Select(r => r.T.Total.TotalMilliseconds)), Median(runs.Select(r => r.Wall)), runs.Average(r => r.Wall));

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
