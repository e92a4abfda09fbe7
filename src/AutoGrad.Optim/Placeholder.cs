namespace AutoGrad.Optim; /// <summary>Placeholder.</summary> internal static class Placeholder { }
