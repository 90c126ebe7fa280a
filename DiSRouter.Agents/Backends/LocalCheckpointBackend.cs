using DiSRouter.Core.Scenarios;
using System.Diagnostics;
using System.Text;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Tokenization;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// A checkpoint run in-process by DiSRouter.Models. Generations run side by side up to Agent:MaxConcurrency (the
/// Generator is thread-safe); further requests wait in line for a slot, none is dropped. The checkpoint directory
/// is watched: when its files change, the new checkpoint loads in the background and replaces the old one in a
/// single reference swap, so requests in flight finish on the model they started with, and a checkpoint that fails
/// to load leaves the old one serving and says why (<see cref="Status"/>: the agent's health and GET /checkpoint).
/// A publish may replace the whole directory in one step (Training's CheckpointPublisher swaps a new folder in), so
/// its parent is watched too and the directory's watch is set up again on the new folder. The checkpoint runs on the engine of Agent:Engine (<see cref="InferenceEngines"/>):
/// ours by default, or TorchSharp's, which serves one generation at a time on its device.
/// </summary>
internal sealed class LocalCheckpointBackend : IChatBackend, ISelfAssessingBackend, IStartableBackend, IDisposable
{
    /// <summary>Everything one loaded checkpoint needs to serve, swapped as one reference.</summary>
    /// <param name="Decision">The checkpoint's calibrated thresholds with the two token ids they compare; null when it has none.</param>
    /// <param name="Style">The scenario wording the checkpoint records (scenario_prompt.json); null when it records none.</param>
    /// <param name="Bid">The checkpoint's bid scale (bid.json) when it was fitted on these weights; else null and <paramref name="NoBid"/> says why.</param>
    private sealed record LoadedModel(ITextGenerator Generator, ITokenizer Tokenizer, int MaxPositions, int Generation,
        CheckpointFingerprint Fingerprint, long ParameterCount, CalibratedDecision? Decision, DateTimeOffset LoadedAt, string WeightsSha256,
        ScenarioPromptStyle? Style = null, BidScale? Bid = null, string? NoBid = null);

    private sealed record CalibratedDecision(DecisionThresholds Thresholds, int[] AnswerOpening, int RejectToken)
    {
        public int AnswerToken => AnswerOpening[0];
    }

    private readonly AgentOptions _options;
    private readonly ILogger<LocalCheckpointBackend> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private volatile LoadedModel? _current;
    private CheckpointFingerprint? _failed;
    private volatile CheckpointReloadFailure? _lastFailure;
    private readonly Lock _watchGate = new();
    private FileSystemWatcher? _watcher;
    private FileSystemWatcher? _parentWatcher;
    private Timer? _debounce;
    private Timer? _poll;
    private IInferenceEngine? _engine;

    public LocalCheckpointBackend(IOptions<AgentOptions> options, ILogger<LocalCheckpointBackend> logger)
    {
        _options = options.Value;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(_options.Checkpoint))
            throw new InvalidOperationException($"Agent '{_options.Name}': a local backend needs Agent:Checkpoint, the directory of a checkpoint (config.json, model.safetensors, tokenizer.json).");
        Directory = Path.GetFullPath(_options.Checkpoint);
        ModelName = string.IsNullOrWhiteSpace(_options.Model) ? Path.GetFileName(Directory.TrimEnd(Path.DirectorySeparatorChar)) : _options.Model;
        MaxConcurrency = _options.MaxConcurrency > 0 ? _options.MaxConcurrency : Environment.ProcessorCount;
        _slots = new SemaphoreSlim(MaxConcurrency, MaxConcurrency);
    }

    public string Directory { get; }

    public string ModelName { get; }

    public bool NeedsProtocolPrompt => false;

    /// <summary>
    /// The wording the loaded checkpoint records beside its weights (it was trained with it, so it wins), else the
    /// configured Agent:ScenarioPrompt (compact by default: every checkpoint trained before the wording was recorded).
    /// </summary>
    public ScenarioPromptStyle PromptStyle => _current?.Style ?? _options.ScenarioPrompt;

    public int MaxConcurrency { get; }

    public bool IsLoaded => _current is not null;

    /// <summary>1 for the checkpoint loaded at startup, +1 for every successful reload.</summary>
    public int Generation => _current?.Generation ?? 0;

    /// <summary>What the agent serves and, when the latest change of its checkpoint failed to load, why.</summary>
    public CheckpointStatus Status => _current is { } m
        ? new CheckpointStatus(Directory, m.Generation, m.LoadedAt, m.ParameterCount, m.Decision is not null, _lastFailure, m.WeightsSha256)
        : new CheckpointStatus(Directory, 0, null, 0, false, _lastFailure, null);

    /// <summary>Raised after a reload has swapped a new model in (tests and logs watch it).</summary>
    public event Action<int>? Reloaded;

    /// <summary>Raised when a changed checkpoint failed to load and the old model kept serving.</summary>
    public event Action? ReloadFailed;

    // ---------------------------------------------------------------------------------------------------------------
    // Startup and reload

    public Task StartAsync(CancellationToken ct)
    {
        // The cores are shared out among the generations that run side by side, so each one multiplies on
        // cores / MaxConcurrency threads (one by default). WHY: splitting one small product over a second thread costs a
        // hand-off of tens of microseconds (more when the worker is asleep after an idle gap, or descheduled on a machine
        // the other agents share) for a few microseconds of work; a rejection, one prompt pass after an idle gap, paid it
        // on every kernel (bench generate: its model time fell by about a third on nano-4 and nano-5 with one thread).
        EngineThreads.Count = EngineThreadsPerGeneration(Environment.ProcessorCount, MaxConcurrency);
        _engine = InferenceEngines.Create(_options);
        if (!System.IO.Directory.Exists(Directory))
            throw new InvalidOperationException($"Agent '{_options.Name}': checkpoint directory '{Directory}' (Agent:Checkpoint) does not exist.");
        try
        {
            _current = Load(generation: 1);
        }
        catch (CheckpointException ex)
        {
            throw new InvalidOperationException($"Agent '{_options.Name}': the checkpoint in '{Directory}' cannot be loaded: {ex.Message}", ex);
        }
        StartWatching();
        return Task.CompletedTask;
    }

    internal static int EngineThreadsPerGeneration(int processors, int maxConcurrency) => Math.Max(1, processors / Math.Max(1, maxConcurrency));

    private LoadedModel Load(int generation)
    {
        var sw = Stopwatch.StartNew();
        var before = CheckpointFingerprint.Read(Directory);
        var engine = _engine ?? throw new InvalidOperationException("The backend has not started.");
        // The engine reads the folder its own way: ours into host memory, the torch engine straight onto its device.
        var opened = engine.OpenDirectory(Directory);
        var decision = ReadDecision(opened.WeightsFingerprint, opened.Tokenizer);
        var (bid, noBid) = ReadBid(opened.WeightsFingerprint);
        var model = new LoadedModel(opened.Generator, opened.Tokenizer, opened.Config.MaxPositionEmbeddings, generation, before, opened.ParameterCount, decision, DateTimeOffset.UtcNow, opened.WeightsFingerprint,
            File.Exists(Path.Combine(Directory, ScenarioPromptFile.FileName)) ? ScenarioPromptFile.Read(Directory) : null, bid, noBid);
        Log.CheckpointLoaded(_logger, Directory, generation, model.ParameterCount, sw.Elapsed.TotalMilliseconds);
        if (model.Decision is { } d) Log.DecisionThresholdsLoaded(_logger, Directory, d.Thresholds.Points.Count);
        return model;
    }

    /// <summary>
    /// The checkpoint's decision.json, if it has one made for these weights. Thresholds measured on other weights (a
    /// checkpoint replaced without its calibration) would misplace every decision, so they are ignored with a warning
    /// and the model decides by its own first token; an unreadable file fails the load like any broken checkpoint file.
    /// </summary>
    private CalibratedDecision? ReadDecision(string weights, ITokenizer t)
    {
        var thresholds = DecisionThresholds.TryRead(Directory);
        if (thresholds is null) return null;
        if (thresholds.WeightsSha256 != weights)
        {
            Log.DecisionThresholdsIgnored(_logger, Directory, thresholds.WeightsSha256, weights);
            return null;
        }
        return new CalibratedDecision(thresholds, t.Encode(thresholds.AnswerText), t.Encode(thresholds.RejectText)[0]);
    }

    /// <summary>
    /// The checkpoint's bid.json if it was fitted on these weights, else why not. Unlike decision.json a bad bid file does
    /// not fail the load: the cascade never reads it, so the agent serves on and its assessments say why they have no p_right.
    /// </summary>
    private (BidScale? Bid, string? NoBid) ReadBid(string weights)
    {
        try
        {
            var bid = BidScale.TryRead(Directory);
            if (bid is null) return (null, $"no {BidScale.FileName} beside the checkpoint (write it with `dotnet run -c Release --project DiSRouter.Training -- fit bids`)");
            if (bid.WeightsSha256 != weights)
                return (null, $"{BidScale.FileName} was fitted on other weights ({bid.WeightsSha256}; these are {weights}): fit it again with `fit bids`");
            return (bid, null);
        }
        catch (CheckpointException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Whether the loaded checkpoint decides by calibrated thresholds.</summary>
    public bool HasDecisionThresholds => _current?.Decision is not null;

    private void StartWatching()
    {
        _debounce = new Timer(_ => _ = ReloadAsync("file change"));
        WatchDirectory();
        WatchParent();
        if (_options.ReloadPollSeconds > 0)
        {
            var period = TimeSpan.FromSeconds(_options.ReloadPollSeconds);
            _poll = new Timer(_ => { if (HasChanged()) _ = ReloadAsync("poll"); }, null, period, period);
        }
    }

    /// <summary>(Re)starts the watch on the checkpoint directory: the folder now under its name, after a swap.</summary>
    private void WatchDirectory()
    {
        lock (_watchGate)
        {
            _watcher?.Dispose();
            _watcher = null;
            try
            {
                var watcher = new FileSystemWatcher(Directory)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                    IncludeSubdirectories = false,
                };
                watcher.Changed += (_, e) => OnFileEvent(e.Name);
                watcher.Created += (_, e) => OnFileEvent(e.Name);
                watcher.Deleted += (_, e) => OnFileEvent(e.Name);
                watcher.Renamed += (_, e) => OnFileEvent(e.Name);
                watcher.Error += (_, e) => Log.WatcherFailed(_logger, e.GetException(), Directory);
                watcher.EnableRaisingEvents = true;
                _watcher = watcher;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // Out of inotify watches, a file system without events, or the directory missing for a moment: the poll
                // still sees every change.
                Log.WatcherFailed(_logger, ex, Directory);
            }
        }
    }

    /// <summary>Watches the parent for the directory's own name: a publish that swaps a whole new folder in.</summary>
    private void WatchParent()
    {
        var parent = Path.GetDirectoryName(Directory.TrimEnd(Path.DirectorySeparatorChar));
        if (parent is null) return;
        var name = Path.GetFileName(Directory.TrimEnd(Path.DirectorySeparatorChar));
        try
        {
            _parentWatcher = new FileSystemWatcher(parent) { NotifyFilter = NotifyFilters.DirectoryName, IncludeSubdirectories = false };
            _parentWatcher.Created += (_, e) => OnParentEvent(name, e.Name);
            _parentWatcher.Renamed += (_, e) => { if (!OnParentEvent(name, e.Name)) OnParentEvent(name, e.OldName); };
            _parentWatcher.Error += (_, e) => Log.WatcherFailed(_logger, e.GetException(), parent);
            _parentWatcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            Log.WatcherFailed(_logger, ex, parent);
        }
    }

    private bool OnParentEvent(string name, string? changed)
    {
        if (changed != name || _stopping.IsCancellationRequested) return false;
        WatchDirectory();
        _debounce?.Change(_options.ReloadDebounceMilliseconds, Timeout.Infinite);
        return true;
    }

    private void OnFileEvent(string? name)
    {
        // A save writes temporary files and renames them into place; only the final names matter.
        if (name is null || !CheckpointFingerprint.Watched.Contains(name)) return;
        // Restarting the timer on every event waits for the save's last file before reading any.
        _debounce?.Change(_options.ReloadDebounceMilliseconds, Timeout.Infinite);
    }

    private bool HasChanged()
    {
        var now = CheckpointFingerprint.Read(Directory);
        return now.Complete && now != _current?.Fingerprint && now != _failed;
    }

    /// <summary>Loads the directory's checkpoint if it changed and swaps it in; one reload at a time.</summary>
    internal async Task ReloadAsync(string trigger)
    {
        try { await _reloadGate.WaitAsync(_stopping.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return; } // shutting down
        try
        {
            if (!HasChanged()) return;
            Log.CheckpointChanged(_logger, Directory, trigger);
            var fingerprint = CheckpointFingerprint.Read(Directory);
            try
            {
                var next = await Task.Run(() => Load((_current?.Generation ?? 0) + 1), _stopping.Token).ConfigureAwait(false);
                if (CheckpointFingerprint.Read(Directory) != next.Fingerprint)
                {
                    // The files moved on while we read them: what we hold may mix two saves. Read again shortly.
                    _debounce?.Change(_options.ReloadDebounceMilliseconds, Timeout.Infinite);
                    return;
                }
                _current = next;
                _failed = null;
                _lastFailure = null;
                Reloaded?.Invoke(next.Generation);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failed = fingerprint;
                _lastFailure = new CheckpointReloadFailure(DateTimeOffset.UtcNow, Reason(ex));
                Log.CheckpointReloadFailed(_logger, ex, Directory);
                ReloadFailed?.Invoke();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>The exception's message and its causes', as a user reads them in the health check or GET /checkpoint.</summary>
    private static string Reason(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
            if (!parts.Any(p => p.Contains(e.Message, StringComparison.Ordinal))) parts.Add(e.Message);
        return string.Join(" ← ", parts);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Generation

    public async Task<ChatGeneration> GenerateAsync(ChatPrompt prompt, GenerationSettings settings,
        Func<int, string, bool>? shouldContinue, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Taken after the wait: a request queued across a reload runs on the newest model.
            var model = _current ?? throw new InvalidOperationException($"Agent '{_options.Name}': no checkpoint is loaded.");
            return await Task.Run(() => Run(model, prompt, settings, shouldContinue, ct), ct).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static ChatGeneration Run(LoadedModel model, ChatPrompt prompt, GenerationSettings settings,
        Func<int, string, bool>? shouldContinue, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var ids = ChatFormat.EncodePrompt(model.Tokenizer, prompt.System, FoldTurns(prompt.Turns));
        if (!string.IsNullOrEmpty(prompt.AssistantPrefix)) ids = [.. ids, .. model.Tokenizer.Encode(prompt.AssistantPrefix)];
        if (ids.Length >= model.MaxPositions)
            throw new ModelInputException($"The prompt takes {ids.Length} tokens; the model's context holds {model.MaxPositions}, leaving no room to answer.");

        var options = new GenerationOptions
        {
            MaxNewTokens = Math.Min(settings.MaxNewTokens, model.MaxPositions - ids.Length),
            Temperature = (float)(settings.Temperature ?? 0),
            TopP = (float)(settings.TopP ?? 1),
            // An unseeded sampled request draws a fresh seed: a fixed default would make every "random" reply the same.
            Seed = settings.Seed ?? (settings.Temperature is > 0 ? Random.Shared.Next() : 0),
            StopStrings = settings.Stop.ToArray(),
            NumSamples = settings.N,
            StopAtEos = true,
        };
        var encoded = sw.Elapsed;
        var timings = new GenerationTimings();
        if (settings.DecideAt is { } alpha && model.Decision is { } decision && string.IsNullOrEmpty(prompt.AssistantPrefix))
            return Decide(model, decision, alpha, ids, options, shouldContinue, settings.OnVerdict, sw, encoded, ct);
        var prefix = prompt.AssistantPrefix ?? "";
        // The callback sees the reply as the caller will (the prefix included), so a streamed reply begins with it.
        var results = model.Generator.Generate(ids, options,
            shouldContinue is null || prefix.Length == 0 ? shouldContinue : (i, text) => shouldContinue(i, prefix + text), ct, timings);
        var samples = results.Select(r => new ChatSample(prefix + r.Text, r.FinishReason, r.TokenIds.Length)).ToList();
        // Encoding, set-up, the prompt pass and picking the first token: everything a rejection of this prompt pays.
        var firstToken = encoded + timings.SetUp + timings.Prefill + timings.FirstToken;
        return new ChatGeneration(samples, ids.Length, sw.Elapsed, firstToken);
    }

    /// <summary>
    /// A calibrated decision: one prompt pass yields the first-token logits, whose answer-minus-reject gap is held
    /// against the threshold for α. Declining costs that pass alone and replies the rejection; answering continues from
    /// the answer template's opening (the prompt's cache is reused, so only the opening is new to the model), exactly
    /// as the calibration and the report graded the answers.
    /// </summary>
    private static ChatGeneration Decide(LoadedModel model, CalibratedDecision decision, double alpha, int[] ids, GenerationOptions options,
        Func<int, string, bool>? shouldContinue, Action<DecisionVerdict>? onVerdict, Stopwatch sw, TimeSpan encoded, CancellationToken ct)
    {
        var (gap, pass) = PromptPass(model, decision, ids, options, ct);
        var firstToken = encoded + pass;
        var verdict = new DecisionVerdict(gap, decision.Thresholds.ThresholdAt(alpha));
        onVerdict?.Invoke(verdict); // the commit point: known before a single answer token
        if (!verdict.Answers)
            return new ChatGeneration(Enumerable.Repeat(new ChatSample(ScenarioPrompt.RejectText, FinishReasons.Aborted, 1), options.NumSamples).ToList(),
                ids.Length, sw.Elapsed, firstToken) { Decision = verdict };

        int[] answering = [.. ids, .. decision.AnswerOpening];
        if (answering.Length >= model.MaxPositions)
            throw new ModelInputException($"The prompt takes {ids.Length} tokens; with the answer's opening the model's context of {model.MaxPositions} leaves no room to answer.");
        var opening = model.Tokenizer.Decode(decision.AnswerOpening);
        var results = model.Generator.Generate(answering, options with { MaxNewTokens = Math.Min(options.MaxNewTokens, model.MaxPositions - answering.Length) },
            shouldContinue is null ? null : (i, text) => shouldContinue(i, opening + text), ct);
        var samples = results.Select(r => new ChatSample(opening + r.Text, r.FinishReason, decision.AnswerOpening.Length + r.TokenIds.Length)).ToList();
        return new ChatGeneration(samples, ids.Length, sw.Elapsed, firstToken) { Decision = verdict };
    }

    /// <summary>One prompt pass: the first-token logit gap (answer − reject) and the pass's time (set-up, prefill, first token).</summary>
    private static (double Gap, TimeSpan Time) PromptPass(LoadedModel model, CalibratedDecision decision, int[] ids, GenerationOptions options, CancellationToken ct)
    {
        var timings = new GenerationTimings();
        double gap = double.NaN;
        model.Generator.Generate(ids, options with
        {
            MaxNewTokens = 1,
            NumSamples = 1,
            StopStrings = [],
            ChooseFirstToken = logits =>
            {
                gap = FirstTokenDecision.LogitGap(logits, decision.AnswerToken, decision.RejectToken);
                return decision.RejectToken;
            },
        }, ct: ct, timings: timings);
        return (gap, timings.SetUp + timings.Prefill + timings.FirstToken);
    }

    /// <summary>
    /// The agent's self-assessment for a bid: the decision's prompt pass alone (no answer), its logit gap, and through the
    /// bid scale the probability that its own answer is right. <paramref name="promptAt"/> builds the prompt for the bid
    /// scale's α; one loaded model serves the whole call, so a reload between the pass and the scale cannot mix two.
    /// </summary>
    public async Task<SelfAssessment> AssessAsync(Func<double, ChatPrompt> promptAt, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var model = _current ?? throw new InvalidOperationException($"Agent '{_options.Name}': no checkpoint is loaded.");
            var alpha = model.Bid?.PromptAlpha ?? BidScale.DefaultPromptAlpha;
            if (model.Decision is not { } decision)
                return new SelfAssessment(alpha, null, null, null, $"the checkpoint has no calibrated decision ({DecisionThresholds.FileName} for these weights), so no logit gap to bid with");
            var prompt = promptAt(alpha);
            return await Task.Run(() =>
            {
                var sw = Stopwatch.StartNew();
                var ids = ChatFormat.EncodePrompt(model.Tokenizer, prompt.System, FoldTurns(prompt.Turns));
                if (ids.Length >= model.MaxPositions)
                    throw new ModelInputException($"The prompt takes {ids.Length} tokens; the model's context holds {model.MaxPositions}.");
                var (gap, _) = PromptPass(model, decision, ids, new GenerationOptions { StopAtEos = true }, ct);
                return new SelfAssessment(alpha, gap, model.Bid?.Probability(gap), sw.Elapsed, model.NoBid) { PromptTokens = ids.Length };
            }, ct).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// The nano chat format has one user slot: a single turn goes in as is; a longer conversation is written out
    /// turn by turn so that nothing the client sent is lost.
    /// </summary>
    internal static string FoldTurns(IReadOnlyList<Core.Routing.ChatMessage> turns)
    {
        if (turns.Count == 1) return turns[0].Content;
        var sb = new StringBuilder();
        foreach (var t in turns)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(t.Role == "assistant" ? "Assistant: " : "User: ").Append(t.Content);
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        _stopping.Cancel();
        lock (_watchGate) _watcher?.Dispose();
        _parentWatcher?.Dispose();
        _debounce?.Dispose();
        _poll?.Dispose();
    }
}
