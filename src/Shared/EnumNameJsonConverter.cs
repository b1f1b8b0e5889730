using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModernBert;

/// <summary>Writes enum values by <see cref="EnumNames.Name{T}"/> and reads them by <see cref="EnumNames.TryParse{T}"/>.</summary>
public sealed class EnumNameJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && EnumNames.TryParse(reader.GetString(), out T value)
                ? value
                : throw new JsonException($"{(reader.TokenType == JsonTokenType.String ? $"'{reader.GetString()}'" : reader.TokenType.ToString())} " +
                    $"is not {EnumNames.Listed<T>()}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(EnumNames.Name(value));
    }
}
