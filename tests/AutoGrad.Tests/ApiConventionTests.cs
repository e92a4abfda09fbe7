using System.Reflection;
using AutoGrad;
using AutoGrad.Optim;
using Xunit;

namespace AutoGrad.Tests;

/// <summary>
/// The public API follows .NET's naming and design guidelines, checked by reflection over both library assemblies so
/// that a new member that breaks them fails here (missing XML docs already fail the build: warnings are errors).
/// </summary>
public class ApiConventionTests
{
    private static readonly Assembly[] Libraries = [typeof(Tensor).Assembly, typeof(Optimizer).Assembly];

    private static IEnumerable<Type> PublicTypes => Libraries.SelectMany(a => a.GetExportedTypes());

    private static IEnumerable<MemberInfo> PublicMembers => PublicTypes.SelectMany(t =>
        t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodInfo { IsSpecialName: true } && m is not ConstructorInfo)
            // Records' and compiler-generated members.
            .Where(m => !m.Name.StartsWith('<') && m.Name is not ("EqualityContract" or "Deconstruct" or "value__")));

    [Fact]
    public void Public_types_live_in_AutoGrad_namespaces_and_are_PascalCase()
    {
        var bad = PublicTypes.Where(t => t.Namespace is null || !t.Namespace.StartsWith("AutoGrad") || !char.IsUpper(t.Name[0])).ToList();
        Assert.True(bad.Count == 0, string.Join(", ", bad));
    }

    [Fact]
    public void Public_members_are_PascalCase_and_parameters_camelCase()
    {
        var badMembers = PublicMembers.Where(m => !char.IsUpper(m.Name[0])).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToList();
        Assert.True(badMembers.Count == 0, string.Join(", ", badMembers));
        var badParams = PublicMembers.OfType<MethodBase>()
            .Concat(PublicTypes.SelectMany(t => t.GetConstructors()))
            .SelectMany(m => m.GetParameters().Select(p => (m, p)))
            .Where(x => x.p.Name is { Length: > 0 } n && !char.IsLower(n[0]) && !x.m.DeclaringType!.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
            // Positional records name their parameters after their properties.
            .Where(x => !(x.m is ConstructorInfo && x.m.DeclaringType!.GetProperty(x.p.Name!) is not null))
            .Select(x => $"{x.m.DeclaringType!.Name}.{x.m.Name}({x.p.Name})").ToList();
        Assert.True(badParams.Count == 0, string.Join(", ", badParams));
    }

    [Fact]
    public void No_public_mutable_fields()
    {
        var bad = PublicMembers.OfType<FieldInfo>().Where(f => !f.IsLiteral && !f.IsInitOnly).Select(f => $"{f.DeclaringType!.Name}.{f.Name}").ToList();
        Assert.True(bad.Count == 0, string.Join(", ", bad));
    }

    [Fact]
    public void Scopes_are_disposable_and_long_runs_take_progress_and_cancellation()
    {
        foreach (var scope in new[] { typeof(NoGradScope), typeof(EnableGradScope), typeof(TensorScope), typeof(AnomalyScope) })
            Assert.True(typeof(IDisposable).IsAssignableFrom(scope), scope.Name);
        var longRuns = PublicTypes.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.Name is "Minimize" or "Fit").ToList();
        Assert.NotEmpty(longRuns);
        foreach (var m in longRuns)
        {
            var types = m.GetParameters().Select(p => p.ParameterType).ToList();
            Assert.Contains(typeof(CancellationToken), types);
            Assert.Contains(types, t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IProgress<>));
        }
    }

    [Fact]
    public void Nullable_annotations_are_emitted()
    {
        var ctx = new NullabilityInfoContext();
        Assert.Equal(NullabilityState.Nullable, ctx.Create(typeof(Tensor).GetProperty(nameof(Tensor.Grad))!).ReadState);
        Assert.Equal(NullabilityState.NotNull, ctx.Create(typeof(Tensor).GetProperty(nameof(Tensor.Shape))!).ReadState);
        Assert.Equal(NullabilityState.Nullable, ctx.Create(typeof(Tensor).GetMethod(nameof(Tensor.Backward))!.GetParameters()[0]).ReadState);
    }
}
