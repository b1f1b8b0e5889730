using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using ModernBert.Coordinator.Cli;
using ModernBert.Modeling;
using ModernBert.Worker;

namespace ModernBert.Tests.Modeling;

/// <summary>
/// No product code passes a number where TorchSharp takes a <c>Scalar</c>. The implicit conversion makes a Scalar that
/// nothing keeps alive once TorchSharp has read its native handle, so its finalizer may free it while libtorch still
/// reads it: a division once failed with "Unknown scalar type" under a test run's garbage collections, and a freed
/// scalar reused by another can give a wrong value silently. Scalars are made with <c>using Scalar</c> declarations
/// (or captured by a closure), which keep them alive until the calls that read them have returned. Read from the
/// compiled IL: every conversion's result must be stored in a closure's field, or in a local that is disposed (a plain
/// local may be collected after its last load, while the call it was passed to still runs).
/// </summary>
public sealed class ImplicitScalarTests
{
    [Fact]
    public void NoProductMethodPassesAnImplicitlyConvertedScalarStraightToACall()
    {
        Assembly[] assemblies = [typeof(SequencePooling).Assembly, typeof(JobProcessor).Assembly, typeof(RunCommand).Assembly];

        string[] offenders = [.. assemblies.SelectMany(assembly => UnstoredConversions(assembly.Location))];

        Assert.True(offenders.Length == 0, "Implicit Scalars passed straight to a call in: " + string.Join(", ", offenders));
    }

    [Fact]
    public void TheScanFindsAConversionPassedStraightToACallOrKeptInAPlainLocal_AndNotOneInAUsingDeclaration()
    {
        string[] offenders = [.. UnstoredConversions(typeof(ImplicitScalarTests).Assembly.Location)];

        Assert.Contains($"{typeof(Samples).FullName}::{nameof(Samples.Passed)}", offenders);
        Assert.Contains($"{typeof(Samples).FullName}::{nameof(Samples.InAPlainLocal)}", offenders);
        Assert.DoesNotContain($"{typeof(Samples).FullName}::{nameof(Samples.Kept)}", offenders);
    }

    private static class Samples
    {
        public static TorchSharp.torch.Tensor Passed(TorchSharp.torch.Tensor x) => x.add(1);

        public static TorchSharp.torch.Tensor InAPlainLocal(TorchSharp.torch.Tensor x)
        {
            TorchSharp.Scalar one = 1;
            return x.add(one);
        }

        public static TorchSharp.torch.Tensor Kept(TorchSharp.torch.Tensor x)
        {
            using TorchSharp.Scalar one = 1;
            return x.add(one);
        }
    }

    /// <summary>"Type::Method" of each method with a conversion to Scalar whose result is not stored first.</summary>
    private static IEnumerable<string> UnstoredConversions(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using var image = new PEReader(stream);
        MetadataReader metadata = image.GetMetadataReader();
        var offenders = new List<string>();
        foreach (TypeDefinitionHandle typeHandle in metadata.TypeDefinitions)
        {
            TypeDefinition type = metadata.GetTypeDefinition(typeHandle);
            string typeName = TypeName(metadata, type);
            foreach (MethodDefinitionHandle methodHandle in type.GetMethods())
            {
                MethodDefinition method = metadata.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress != 0 && HasUnstoredConversion(metadata, image.GetMethodBody(method.RelativeVirtualAddress)))
                    offenders.Add($"{typeName}::{metadata.GetString(method.Name)}");
            }
        }
        return offenders;
    }

    private static string TypeName(MetadataReader metadata, TypeDefinition type)
    {
        string name = metadata.GetString(type.Name);
        TypeDefinitionHandle declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
            return $"{TypeName(metadata, metadata.GetTypeDefinition(declaring))}+{name}";
        string space = metadata.GetString(type.Namespace);
        return space.Length == 0 ? name : $"{space}.{name}";
    }

    private static bool HasUnstoredConversion(MetadataReader metadata, MethodBodyBlock body)
    {
        BlobReader il = body.GetILReader();
        var kept = new HashSet<int>();
        var disposed = new HashSet<int>();
        bool pending = false;
        int? loaded = null;
        while (il.RemainingBytes > 0)
        {
            ILOpCode opCode = ReadOpCode(ref il);
            int? local = LocalOf(opCode, ref il, out bool isStore);
            if (pending && !(isStore || opCode == ILOpCode.Stfld))
                return true;
            if (pending && isStore)
                kept.Add(local!.Value);
            pending = false;
            if (opCode is ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj)
            {
                EntityHandle callee = MetadataTokens.EntityHandle(il.ReadInt32());
                pending = IsScalarConversion(metadata, callee);
                if (loaded is int receiver && opCode == ILOpCode.Callvirt && IsDispose(metadata, callee))
                    disposed.Add(receiver);
            }
            else if (local == null)
            {
                Skip(ref il, opCode);
            }
            loaded = isStore ? null : local;
        }
        return pending || !kept.IsSubsetOf(disposed);
    }

    /// <summary>The local a ldloc or stloc names (its operand read), or null for any other opcode (operand left).</summary>
    private static int? LocalOf(ILOpCode opCode, ref BlobReader il, out bool isStore)
    {
        isStore = opCode is ILOpCode.Stloc_0 or ILOpCode.Stloc_1 or ILOpCode.Stloc_2 or ILOpCode.Stloc_3 or ILOpCode.Stloc_s or ILOpCode.Stloc;
        return opCode switch
        {
            ILOpCode.Ldloc_0 or ILOpCode.Stloc_0 => 0,
            ILOpCode.Ldloc_1 or ILOpCode.Stloc_1 => 1,
            ILOpCode.Ldloc_2 or ILOpCode.Stloc_2 => 2,
            ILOpCode.Ldloc_3 or ILOpCode.Stloc_3 => 3,
            ILOpCode.Ldloc_s or ILOpCode.Stloc_s => il.ReadByte(),
            ILOpCode.Ldloc or ILOpCode.Stloc => il.ReadUInt16(),
            _ => null,
        };
    }

    private static bool IsDispose(MetadataReader metadata, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.MemberReference => metadata.GetString(metadata.GetMemberReference((MemberReferenceHandle)handle).Name) == "Dispose",
        HandleKind.MethodDefinition => metadata.GetString(metadata.GetMethodDefinition((MethodDefinitionHandle)handle).Name) == "Dispose",
        _ => false,
    };

    /// <summary>Scalar's implicit operators, and the ToScalar extensions they call.</summary>
    private static bool IsScalarConversion(MetadataReader metadata, EntityHandle handle)
    {
        if (handle.Kind != HandleKind.MemberReference)
            return false;
        MemberReference member = metadata.GetMemberReference((MemberReferenceHandle)handle);
        if (member.Parent.Kind != HandleKind.TypeReference)
            return false;
        TypeReference parent = metadata.GetTypeReference((TypeReferenceHandle)member.Parent);
        string name = metadata.GetString(member.Name);
        return metadata.GetString(parent.Namespace) == "TorchSharp" && metadata.GetString(parent.Name) switch
        {
            "Scalar" => name == "op_Implicit",
            "ScalarExtensionMethods" => name.StartsWith("To", StringComparison.Ordinal) && name.EndsWith("Scalar", StringComparison.Ordinal),
            _ => false,
        };
    }

    private static ILOpCode ReadOpCode(ref BlobReader il)
    {
        byte first = il.ReadByte();
        return first == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)first;
    }

    /// <summary>Moves past the operand of <paramref name="opCode"/> (ECMA-335, partition III).</summary>
    private static void Skip(ref BlobReader il, ILOpCode opCode)
    {
        if (opCode == ILOpCode.Switch)
        {
            // Read first: "il.Offset += 4 * il.ReadInt32()" would add to the offset from before the count.
            int targets = il.ReadInt32();
            il.Offset += 4 * targets;
            return;
        }
        il.Offset += opCode switch
        {
            ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s or ILOpCode.Stloc_s
                or ILOpCode.Ldc_i4_s or ILOpCode.Br_s or ILOpCode.Brfalse_s or ILOpCode.Brtrue_s or ILOpCode.Beq_s or ILOpCode.Bge_s
                or ILOpCode.Bgt_s or ILOpCode.Ble_s or ILOpCode.Blt_s or ILOpCode.Bne_un_s or ILOpCode.Bge_un_s or ILOpCode.Bgt_un_s
                or ILOpCode.Ble_un_s or ILOpCode.Blt_un_s or ILOpCode.Leave_s or ILOpCode.Unaligned => 1,
            ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => 2,
            ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8 => 8,
            ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq or ILOpCode.Bge
                or ILOpCode.Bgt or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un or ILOpCode.Bgt_un or ILOpCode.Ble_un
                or ILOpCode.Blt_un or ILOpCode.Leave or ILOpCode.Jmp or ILOpCode.Calli or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld
                or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld or ILOpCode.Ldstr or ILOpCode.Ldtoken or ILOpCode.Box
                or ILOpCode.Unbox or ILOpCode.Unbox_any or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr or ILOpCode.Ldelema
                or ILOpCode.Ldelem or ILOpCode.Stelem or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Cpobj or ILOpCode.Initobj
                or ILOpCode.Sizeof or ILOpCode.Mkrefany or ILOpCode.Refanyval or ILOpCode.Ldftn or ILOpCode.Ldvirtftn
                or ILOpCode.Constrained => 4,
            _ => 0,
        };
    }
}
