namespace AutoGrad.Optim;

/// <summary>The optimizer package; its optimizers arrive with the optimizer issue.</summary>
internal static class AssemblyInfo
{
}
