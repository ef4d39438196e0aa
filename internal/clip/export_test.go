package clip

// Callers is how many Cut calls share the job running for key (0: none).
func Callers(c *Cutter, key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[key]; ok {
		return f.callers
	}
	return 0
}
