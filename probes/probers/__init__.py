"""probers"""
