import Foundation
import Testing
import WhatsAppCloud

/// `JSONValue` keeps unknown parts of a payload as they arrived: every kind, nested, without one
/// passing for another (a string of digits stays a string, `1` is no `true`).
@Suite struct JSONValueTests {
    @Test func everyKindDecodesAsItself() throws {
        let json = #"{"s":"1","n":1,"f":-2.5,"t":true,"no":false,"z":null,"a":["x",2,false,null,{}],"o":{"deep":{"list":[[]]}}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(
            value
                == .object([
                    "s": .string("1"), "n": .number(1), "f": .number(-2.5), "t": .bool(true), "no": .bool(false), "z": .null,
                    "a": .array([.string("x"), .number(2), .bool(false), .null, .object([:])]),
                    "o": .object(["deep": .object(["list": .array([.array([])])])]),
                ]))
    }

    @Test func itEncodesBackToTheSameValue() throws {
        let json = #"{"a":[1,"1",true,null],"b":{"c":0.5}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(again == value)
        #expect(value.jsonText().contains(#""1""#))
    }
}
