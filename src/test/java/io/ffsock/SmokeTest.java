package io.ffsock;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.*;
class SmokeTest { @Test void runtime() { assertTrue(Runtime.version().feature() >= 22); } }
