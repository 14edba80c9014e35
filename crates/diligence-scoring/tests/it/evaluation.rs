// evaluation tests
