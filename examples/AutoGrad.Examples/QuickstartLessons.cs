namespace AutoGrad.Examples;

/// <summary>The README's quickstart as a lesson.</summary>
public sealed class QuickstartLesson : ILesson
{
    public string Name => "quickstart";
    public int Order => 0;
    public string Summary => "a custom loss, its gradient and a gradient check";
    public int Run(LessonContext context) => Quickstart.Run(context.Out);
}

/// <summary>The README's optimizer example as a lesson.</summary>
public sealed class MinimizeLesson : ILesson
{
    public string Name => "minimize";
    public int Order => 1;
    public string Summary => "Rosenbrock's function minimised with Adam and with Newton's method";
    public int Run(LessonContext context) => MinimizeExample.Run(context.Out);
}
