using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Quartz;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// Reads "DiSRouter:Jobs" and checks every job at once, so that one edit fixes the file: names, stages, arguments,
/// schedules, and that each agent trains only its own model on its own samples.
/// </summary>
internal static partial class JobsReader
{
    public const string SectionName = TopologyAgent.Section + ":Jobs";

    /// <summary>
    /// As with the agents (<see cref="TopologyAgent.Read"/>), a --config file that lists jobs replaces the whole list:
    /// configuration layers merge arrays index by index. One that lists agents but no jobs is another network, whose
    /// agents the configured jobs know nothing of: it has no jobs.
    /// </summary>
    public static IReadOnlyList<PlannedJob> Read(IConfiguration configuration, IConfiguration? overlay, IReadOnlyList<TopologyAgent> agents, string repositoryRoot)
    {
        var replaced = overlay?.GetSection(SectionName);
        var otherAgents = overlay?.GetSection(TopologyAgent.AgentsSection).Exists() == true;
        IEnumerable<IConfigurationSection> children = replaced is not null && replaced.Exists() ? replaced.GetChildren()
            : otherAgents ? [] : configuration.GetSection(SectionName).GetChildren();
        var specs = children.Select(child =>
        {
            var spec = new JobSpec();
            child.Bind(spec);
            spec.Arguments = child.GetSection(nameof(JobSpec.Arguments)).GetChildren().ToDictionary(a => a.Key,
                a => a.Value ?? string.Join(' ', a.GetChildren().Select(v => Quote(v.Value ?? ""))));
            return spec;
        }).ToList();
        return Plan(specs, agents, repositoryRoot);
    }

    public static IReadOnlyList<PlannedJob> Plan(IReadOnlyList<JobSpec> specs, IReadOnlyList<TopologyAgent> agents, string repositoryRoot)
    {
        var errors = new List<string>();
        var jobs = new List<PlannedJob>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (spec, i) in specs.Select((s, i) => (s, i)))
        {
            var where = $"{SectionName}:{i} ('{spec.Name}')";
            var before = errors.Count;
            if (!JobName().IsMatch(spec.Name ?? "")) errors.Add($"{where}: Name must be kebab-case, such as 'selfaware-nano-3'.");
            else if (!names.Add(spec.Name!)) errors.Add($"{where}: the name '{spec.Name}' is used twice.");

            // 1) whose training: an agent of the topology, from its own base model
            var agent = agents.FirstOrDefault(a => a.Name.Equals(spec.Agent, StringComparison.OrdinalIgnoreCase));
            if (string.IsNullOrWhiteSpace(spec.Agent)) errors.Add($"{where}: Agent must name the agent whose model it trains.");
            else if (agent is null && agents.Count > 0)
                errors.Add($"{where}: Agent '{spec.Agent}' is not in the topology; it has {string.Join(", ", agents.Select(a => a.Name))}.");
            else if (agent is { Backend: not "local" })
                errors.Add($"{where}: {agent.Name} has a {agent.Backend} backend; only local agents have a checkpoint to train.");

            // 2) the stages, in pipeline order, ending in a checkpoint to publish
            var stages = spec.Stages.Count == 0 ? PlannedJob.Pipeline.ToList() : spec.Stages.Select(s => s.Trim().ToLowerInvariant()).ToList();
            foreach (var s in stages.Where(s => !PlannedJob.Pipeline.Contains(s)).Distinct())
                errors.Add($"{where}: '{s}' is not a stage; Stages is a subset of {string.Join(", ", PlannedJob.Pipeline)}.");
            if (stages.Distinct().Count() != stages.Count) errors.Add($"{where}: Stages names a stage twice.");
            else if (!stages.SequenceEqual(PlannedJob.Pipeline.Where(stages.Contains)))
                errors.Add($"{where}: Stages must keep the pipeline order {string.Join(", ", PlannedJob.Pipeline)}, got {string.Join(", ", stages)}.");
            if (!stages.Contains(PlannedJob.Sft) && !stages.Contains(PlannedJob.Rl))
                errors.Add($"{where}: Stages must include sft or rl, the stage whose checkpoint is published.");

            // 3) the paths: distinct, and the base is the agent's own
            string? Full(string? path, string field, bool required)
            {
                if (!string.IsNullOrWhiteSpace(path)) return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, repositoryRoot));
                if (required) errors.Add($"{where}: {field} is required.");
                return null;
            }
            var needsBase = stages.Contains(PlannedJob.Sample) || stages.Contains(PlannedJob.Sft);
            var baseDir = Full(spec.Base, nameof(JobSpec.Base), needsBase) ?? "";
            var run = Full(spec.Run, nameof(JobSpec.Run), true) ?? "";
            var publish = Full(spec.Publish, nameof(JobSpec.Publish), true) ?? "";
            var logs = Full(spec.Logs, nameof(JobSpec.Logs), false) ?? Path.Combine(repositoryRoot, "runs", "jobs", spec.Name ?? "");
            if (publish.Length > 0 && (publish == baseDir || publish == run))
                errors.Add($"{where}: Publish must be a directory of its own, not the job's Base or Run.");
            else if (run.Length > 0 && run == baseDir) errors.Add($"{where}: Run must not be the Base checkpoint's directory.");
            if (agent is { Backend: "local", Checkpoint: { Length: > 0 } served } && baseDir.Length > 0)
            {
                var servedDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(served, repositoryRoot));
                if (servedDir != baseDir && servedDir != publish)
                    errors.Add($"{where}: Base is {spec.Base} but {agent.Name} serves {served}: an agent is trained from its own model.");
            }

            // 4) each stage's own options; the model and the run are the job's
            var arguments = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var (stage, text) in spec.Arguments)
            {
                if (!PlannedJob.Pipeline.Contains(stage)) { errors.Add($"{where}: Arguments:{stage} is not a stage's ({string.Join(", ", PlannedJob.Pipeline)})."); continue; }
                try
                {
                    var split = SplitArguments(text);
                    foreach (var owned in split.Where(a => a.Split('=')[0] is "--model" or "--out"))
                        errors.Add($"{where}: Arguments:{stage} sets {owned.Split('=')[0]}; the job passes its own Base and Run.");
                    arguments[stage] = split;
                }
                catch (FormatException e) { errors.Add($"{where}: Arguments:{stage}: {e.Message}"); }
            }

            // 5) the schedule: none means on demand only
            CronExpression? cron = null;
            if (!string.IsNullOrWhiteSpace(spec.Schedule))
            {
                try { cron = new CronExpression(spec.Schedule.Trim()); }
                catch (FormatException e)
                {
                    errors.Add($"{where}: Schedule '{spec.Schedule}' is not a Quartz cron expression " +
                        $"(seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 0 3 ? * SUN\"): {e.Message}");
                }
            }

            if (errors.Count > before) continue;
            var planned = stages.Select(s => new JobStage(s, PlannedJob.CommandLine(s, baseDir, run, arguments.GetValueOrDefault(s) ?? []))).ToList();
            jobs.Add(new PlannedJob(spec.Name!, agent?.Name ?? spec.Agent, baseDir, run, publish, logs, planned, cron));
        }

        // 6) across jobs: a run directory holds one agent's samples; a serving checkpoint has one run that feeds it
        foreach (var group in jobs.GroupBy(j => j.Run).Where(g => g.Select(j => j.Agent).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1))
            errors.Add($"Jobs {string.Join(", ", group.Select(j => j.Name))} share the run directory {group.Key} but train different agents.");
        foreach (var group in jobs.GroupBy(j => j.Publish).Where(g => g.Select(j => (j.Agent, j.Run)).Distinct().Count() > 1))
            errors.Add($"Jobs {string.Join(", ", group.Select(j => j.Name))} publish to {group.Key} from different agents or run directories.");
        foreach (var job in jobs.Where(j => jobs.Any(o => o.Run == j.Publish || o.Publish == j.Run || (o.Base == j.Run && o.Base.Length > 0))))
            errors.Add($"Job {job.Name}: its Run or Publish directory is another job's Base, Run or Publish.");

        if (errors.Count > 0) throw new JobConfigException(errors);
        return jobs;
    }

    /// <summary>Splits "--queries 600 --families \"arith,logic\"" like a shell would, without expansions.</summary>
    public static IReadOnlyList<string> SplitArguments(string text)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else current.Append(c);
            }
            else if (c is '"' or '\'') { quote = c; inWord = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) args.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else { current.Append(c); inWord = true; }
        }
        if (quote != '\0') throw new FormatException($"an unclosed {quote} quote in '{text}'.");
        if (inWord) args.Add(current.ToString());
        return args;
    }

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? arg : "\"" + arg + "\"";

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", RegexOptions.IgnoreCase)]
    private static partial Regex JobName();
}

/// <summary>Everything wrong with the jobs at once.</summary>
internal sealed class JobConfigException(IReadOnlyList<string> errors)
    : Exception("The jobs cannot be run:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
