"""(Being built.)"""
