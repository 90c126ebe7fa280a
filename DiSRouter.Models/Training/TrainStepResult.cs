namespace DiSRouter.Models.Training;

/// <summary>What one <see cref="Trainer.Step"/> did: the masked mean cross-entropy of the batch before the update, and the update itself.</summary>
/// <param name="Step">Optimizer steps taken so far, this one included.</param>
/// <param name="Loss">Masked mean cross-entropy (nats per weighted target token) over the whole batch.</param>
/// <param name="TargetWeight">Σ of the loss-mask weights: the number of trained target tokens.</param>
/// <param name="GradNorm">Global L2 norm of the gradient before clipping.</param>
/// <param name="LearningRate">Rate used for this update.</param>
public sealed record TrainStepResult(int Step, double Loss, double TargetWeight, double GradNorm, double LearningRate);

/// <summary>What one <see cref="Trainer.OptimizerStep"/> did.</summary>
/// <param name="Step">Optimizer steps taken so far, this one included.</param>
/// <param name="GradNorm">Global L2 norm of the accumulated gradient before clipping.</param>
/// <param name="LearningRate">Rate used for this update.</param>
public sealed record OptimizerStepResult(int Step, double GradNorm, double LearningRate);
